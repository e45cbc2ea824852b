import { oauthError } from './errors.js'

/** The resource servers tokens may be issued for (RFC 8707). */
export interface ResourcePolicy {
  /** The `aud` of a token when no `resource` is requested. */
  readonly defaultAudience: string
  /** Every `resource` a client may request. */
  readonly allowed: ReadonlySet<string>
}

/** Whether `value` is an RFC 8707 resource indicator: an absolute URI without a fragment. */
export function isResourceIndicator(value: string): boolean {
  if (value.includes('#')) return false
  try {
    return new URL(value).protocol !== ''
  } catch {
    return false
  }
}

/**
 * The resources a request binds its token to: each must be a valid indicator this server
 * serves and, for a code or refresh, one the grant was bound to (`invalid_target` otherwise);
 * none requested means the grant's own, or the default audience.
 */
export function requestedResources(
  policy: ResourcePolicy,
  requested: readonly string[],
  bound: readonly string[] | undefined,
): string[] {
  for (const resource of requested) {
    if (!isResourceIndicator(resource))
      throw oauthError('invalid_target', 'A resource parameter is not an absolute URI')
    if (!policy.allowed.has(resource) && resource !== policy.defaultAudience)
      throw oauthError('invalid_target', 'A requested resource is not served by this server')
    if (bound !== undefined && bound.length > 0 && !bound.includes(resource))
      throw oauthError('invalid_target', 'A requested resource is not part of the grant')
  }
  const unique = [...new Set(requested)]
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
