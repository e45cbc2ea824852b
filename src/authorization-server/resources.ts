import { oauthError } from './errors.js'

/** The resource servers tokens may be issued for (RFC 8707). */
export interface ResourcePolicy {
  /** The `aud` of a token when no `resource` is requested. */
  readonly defaultAudience: string
  /** Every `resource` a client may request, as configured: that spelling is what tokens carry. */
  readonly served: ReadonlySet<string>
  /**
   * The `http`/`https` ones in RFC 3986's normal form ({@link normalizedURI}), mapped to their
   * configured spelling, for a client that spells one otherwise (`HTTPS://API.example.com`, or an
   * origin with or without its `/`).
   */
  readonly normalized: ReadonlyMap<string, string>
}

/** The policy for a server configured with these resources (and its default audience). */
export function resourcePolicy(
  defaultAudience: string,
  resources: readonly string[],
): ResourcePolicy {
  const configured = [defaultAudience, ...resources]
  // A configured spelling always stands for itself; another spelling maps to its first owner.
  const served = new Set(configured)
  const normalized = new Map<string, string>()
  for (const resource of configured) {
    const form = normalizedURI(resource)
    if (form !== undefined && !normalized.has(form)) normalized.set(form, resource)
  }
  return { defaultAudience, served, normalized }
}

const HTTP_URI = /^(https?):\/\/([^/?#]+)(.*)$/i

/**
 * An `http`/`https` URI with its scheme and host in lower case, its default (or empty) port
 * dropped, an empty path as `/`, and its percent-encodings normalised: RFC 3986 §6.2.2.1–2 and
 * §6.2.3, not what a URL parser would also rewrite (dot segments, `0x7f.1` hosts, spaces or
 * backslashes). User information is kept as written. `undefined` for any other URI.
 */
function normalizedURI(uri: string): string | undefined {
  if (!URI_CHARACTERS.test(uri)) return undefined
  const [, given = '', written = '', path = ''] = HTTP_URI.exec(uri) ?? []
  if (given === '') return undefined
  const scheme = given.toLowerCase()
  const at = written.lastIndexOf('@')
  const userInfo = written.slice(0, at + 1)
  let authority = written.slice(at + 1).toLowerCase()
  let rest = path
  const defaultPort = scheme === 'http' ? ':80' : ':443'
  if (authority.endsWith(defaultPort)) authority = authority.slice(0, -defaultPort.length)
  else if (authority.endsWith(':')) authority = authority.slice(0, -1)
  if (rest === '' || rest.startsWith('?')) rest = `/${rest}`
  // §6.2.2.1–2: percent-encodings in upper case, and unreserved characters not encoded at all.
  rest = rest.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16))
    return /^[A-Za-z0-9\-._~]$/.test(character) ? character : `%${hex.toUpperCase()}`
  })
  return `${scheme}://${userInfo}${authority}${rest}`
}

/** The configured resource `requested` names, in any of its spellings; `undefined` if none. */
function servedResource(policy: ResourcePolicy, requested: string): string | undefined {
  if (policy.served.has(requested)) return requested
  const form = normalizedURI(requested)
  return form === undefined ? undefined : policy.normalized.get(form)
}

// RFC 3986 §2's characters: anything else (a space, a backslash, non-ASCII) is no URI at all.
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+$/

/**
 * Whether `value` is an RFC 8707 resource indicator: an absolute URI (RFC 3986's characters only:
 * a non-ASCII letter is percent-encoded, `%C3%BC`) without a fragment.
 */
export function isResourceIndicator(value: string): boolean {
  if (value.includes('#') || !URI_CHARACTERS.test(value)) return false
  try {
    return new URL(value).protocol !== ''
  } catch {
    return false
  }
}

/**
 * The resources a request binds its token to: each must be a valid indicator this server
 * serves and, for a code or refresh, one the grant was bound to (`invalid_target` otherwise);
 * none requested means the grant's own, or the default audience. Each comes back in its
 * configured spelling.
 */
export function requestedResources(
  policy: ResourcePolicy,
  requested: readonly string[],
  bound: readonly string[] | undefined,
): string[] {
  // A grant bound to no resource was made for the default audience, and stays with it.
  const grant =
    bound === undefined ? undefined : bound.length > 0 ? bound : [policy.defaultAudience]
  const resources = requested.map((resource) => {
    if (!isResourceIndicator(resource))
      throw oauthError('invalid_target', 'A resource parameter is not an absolute URI')
    const served = servedResource(policy, resource)
    if (served === undefined)
      throw oauthError('invalid_target', 'A requested resource is not served by this server')
    if (grant !== undefined && !grant.includes(served))
      throw oauthError('invalid_target', 'A requested resource is not part of the grant')
    return served
  })
  const unique = [...new Set(resources)]
  return unique.length > 0 ? unique : [...(bound ?? [])]
}

/** The `aud` claim for a set of resources: one string, several, or the default audience. */
export function audienceOf(
  policy: ResourcePolicy,
  resources: readonly string[],
): string | string[] {
  if (resources.length === 0) return policy.defaultAudience
  return resources.length === 1 ? (resources[0] as string) : [...resources]
}
