import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { defineComparison } from '../lib/compare.js'
import { ALGORITHMS, AUDIENCE, ISSUER } from '../servers/verify/common.js'

// Keys and tokens are made once per bench run, when the scenario list loads.
const keys = await Promise.all(
  ALGORITHMS.map(async (alg) => {
    const pair = await generateKeyPair(alg, { extractable: true })
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: `bench-${alg}`, alg, use: 'sig' }
    const now = Math.floor(Date.now() / 1000)
    const token = await new SignJWT({ scope: 'me items' })
      .setProtectedHeader({ alg, kid: jwk.kid, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('johndoe')
      .setIssuedAt(now)
      .setExpirationTime(now + 24 * 3600)
      .sign(pair.privateKey)
    return { alg, jwk, token }
  }),
)

/**
 * A route protected by an issuer's asymmetric tokens, each request verified (no cache): Gatehouse
 * (`createJWTVerifier` + `createCurrentPrincipal`, `serve()`) against the same route written by hand
 * on node:http with jose's `jwtVerify` + `createLocalJWKSet`, for RS256, ES256 and EdDSA tokens.
 */
export const verify = defineComparison({
  name: 'verify',
  description: 'GET /me with an RS256, ES256 or EdDSA access token verified against a local JWKS',
  baseline: 'jose',
  targets: [
    { name: 'jose', server: 'servers/verify/jose.ts' },
    { name: 'gatehouse', server: 'servers/verify/gatehouse.ts' },
  ],
  measured: keys.map(({ alg, token }) => ({
    name: `verify-${alg.toLowerCase()}`,
    request: {
      method: 'GET',
      path: '/me',
      headers: { authorization: `Bearer ${token}` },
      expectStatus: 200,
    },
  })),
  async prepare() {
    return { env: { VERIFY_JWKS: JSON.stringify({ keys: keys.map(({ jwk }) => jwk) }) } }
  },
})
