/** Quote a value for an auth-param (RFC 9110 §11.2 quoted-string). */
function quoted(value: string): string {
  return `"${value.replace(/[\\"]/g, '\\$&')}"`
}

/**
 * The `WWW-Authenticate` value for a Bearer challenge: `Bearer` alone, or with `realm`, `error`,
 * `scope` (RFC 6750 §3) and `resource_metadata` (RFC 9728 §5.1) parameters, in that order.
 * @example
 * bearerChallenge({ error: 'insufficient_scope', scope: 'items me' })
 * // 'Bearer error="insufficient_scope", scope="items me"'
 */
export function bearerChallenge(params: {
  realm?: string | undefined
  error?: 'invalid_request' | 'invalid_token' | 'insufficient_scope' | undefined
  scope?: string | undefined
  resourceMetadata?: string | undefined
}): string {
  const parts: string[] = []
  if (params.realm) parts.push(`realm=${quoted(params.realm)}`)
  if (params.error) parts.push(`error=${quoted(params.error)}`)
  if (params.scope) parts.push(`scope=${quoted(params.scope)}`)
  if (params.resourceMetadata) parts.push(`resource_metadata=${quoted(params.resourceMetadata)}`)
  return parts.length === 0 ? 'Bearer' : `Bearer ${parts.join(', ')}`
}
