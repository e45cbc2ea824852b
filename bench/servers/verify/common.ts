import type { JSONWebKeySet } from 'gatehouse'

/**
 * What both `verify` servers share: the key set and claims the bench made for this run (from the
 * environment), and the one protected route's answer, so only the verification code differs.
 */
export const jwks = JSON.parse(process.env.VERIFY_JWKS ?? '{"keys":[]}') as JSONWebKeySet
export const ISSUER = 'https://issuer.bench.example'
export const AUDIENCE = 'https://api.bench.example'
export const ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const

/** The users the route knows, in memory (verification is what is measured, not a store). */
export const users = new Map([['johndoe', { username: 'johndoe', full_name: 'John Doe' }]])
