/**
 * What every `tokens` server shares: the issuer, the resource server the tokens are for, and the
 * one registered client (its secret made by the bench for this run), so only the server differs.
 */
export const ISSUER = 'https://auth.bench.example'
/** The `aud` of every access token (an RFC 8707 resource indicator). */
export const AUDIENCE = 'https://api.bench.example'
/** oidc-provider cannot introspect JWTs; its introspected tokens are opaque ones for this resource. */
export const OPAQUE_AUDIENCE = 'https://opaque.bench.example'
export const CLIENT_ID = 'bench-client'
/** The password-grant client and user (Gatehouse only). */
export const LOGIN_CLIENT_ID = 'bench-login'
export const USERNAME = 'ada'
export const PASSWORD = 'correct horse battery staple'

export const ALGORITHMS = ['EdDSA', 'RS256'] as const
export type Algorithm = (typeof ALGORITHMS)[number]

/** A setting the bench passes in the environment; a server without it refuses to start. */
export function setting(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') throw new Error(`${name} is not set`)
  return value
}

export function algorithm(): Algorithm {
  const alg = setting('TOKENS_ALG')
  if (!(ALGORITHMS as readonly string[]).includes(alg)) throw new Error(`TOKENS_ALG ${alg}?`)
  return alg as Algorithm
}
