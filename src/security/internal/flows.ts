import { isScopeToken } from '../../core/errors/challenge-params.js'
import type { OAuth2FlowBase, OAuth2Flows } from '../oauth2.js'
import { requireString } from './scheme.js'

type FlowName = keyof OAuth2Flows

const URLS: Readonly<Record<FlowName, readonly ('authorizationUrl' | 'tokenUrl')[]>> = {
  implicit: ['authorizationUrl'],
  password: ['tokenUrl'],
  clientCredentials: ['tokenUrl'],
  authorizationCode: ['authorizationUrl', 'tokenUrl'],
}

/**
 * Validate flows and fill in defaults (`scopes: {}`), in OpenAPI's shape. `prefix` is how the
 * caller's options reach a flow's fields (`flows.password.` for `OAuth2`, empty for the shorthand
 * classes), so a `TypeError` names the option the user wrote.
 */
export function normalizeFlows(
  owner: string,
  flows: OAuth2Flows,
  prefix: (flow: FlowName) => string,
): Record<string, Record<string, unknown>> {
  if (flows === null || typeof flows !== 'object')
    throw new TypeError(`${owner}: \`flows\` must be an object`)
  const out: Record<string, Record<string, unknown>> = {}
  for (const [name, flow] of Object.entries(flows) as [FlowName, OAuth2FlowBase | undefined][]) {
    if (flow === undefined) continue
    const urls = Object.hasOwn(URLS, name) ? URLS[name] : undefined
    if (!urls)
      throw new TypeError(
        `${owner}: unknown flow \`flows.${name}\` (implicit, password, clientCredentials or authorizationCode)`,
      )
    const at = prefix(name)
    if (flow === null || typeof flow !== 'object')
      throw new TypeError(`${owner}: \`flows.${name}\` must be an object`)
    const normalized: Record<string, unknown> = {}
    for (const url of urls)
      normalized[url] = endpointURL(owner, `${at}${url}`, (flow as Record<string, unknown>)[url])
    if (flow.refreshUrl !== undefined)
      normalized.refreshUrl = endpointURL(owner, `${at}refreshUrl`, flow.refreshUrl)
    normalized.scopes = normalizeScopes(owner, `${at}scopes`, flow.scopes)
    out[name] = normalized
  }
  if (Object.keys(out).length === 0)
    throw new TypeError(`${owner}: \`flows\` must declare at least one flow`)
  return out
}

/**
 * An endpoint's URL, absolute or relative to the document (OpenAPI 3.1). RFC 6749 §3.1 and §3.2:
 * the authorization and token endpoints' URIs MUST NOT include a fragment (a client would send
 * it nowhere, or a browser keep it from the server).
 */
function endpointURL(owner: string, option: string, value: unknown): string {
  const url = requireString(owner, option, value)
  if (url.includes('#'))
    throw new TypeError(`${owner}: \`${option}\` must not have a fragment (RFC 6749 §3.1, §3.2)`)
  if (!URL.canParse(url, 'http://localhost/'))
    throw new TypeError(`${owner}: \`${option}\` must be a URL, absolute or relative`)
  return url
}

function normalizeScopes(owner: string, option: string, scopes: unknown): Record<string, string> {
  if (scopes === undefined) return {}
  if (scopes === null || typeof scopes !== 'object' || Array.isArray(scopes))
    throw new TypeError(`${owner}: \`${option}\` must map scope names to descriptions`)
  const out: Record<string, string> = {}
  for (const [scope, description] of Object.entries(scopes)) {
    if (!isScopeToken(scope))
      throw new TypeError(
        `${owner}: \`${option}\` name ${JSON.stringify(scope)} is not an RFC 6749 scope-token (printable ASCII without spaces, " or \\)`,
      )
    if (typeof description !== 'string')
      throw new TypeError(`${owner}: \`${option}\` descriptions must be strings`)
    out[scope] = description
  }
  return out
}
