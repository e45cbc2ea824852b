import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import Provider, { errors } from 'oidc-provider'
import { announce, listenOptions } from '../../lib/listen.js'
import { AUDIENCE, algorithm, CLIENT_ID, ISSUER, OPAQUE_AUDIENCE, setting } from './common.js'

// oidc-provider configured like the Gatehouse server: the client credentials grant for one
// confidential client (client_secret_basic), JWT access tokens for AUDIENCE through the resource
// indicators feature, signed with a key of the same type, and introspection. It cannot introspect
// JWTs (RFC 7662 leaves that to the resource server), so its introspected tokens are opaque ones,
// issued for OPAQUE_AUDIENCE.
const alg = algorithm()
const pair =
  alg === 'EdDSA'
    ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('rsa', { modulusLength: 2048 })
const jwk = { ...pair.privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid: `bench-${alg}` }

const resourceServer = (format: 'jwt' | 'opaque', audience: string) => ({
  scope: 'read',
  audience,
  accessTokenTTL: 900,
  accessTokenFormat: format,
  ...(format === 'jwt' ? { jwt: { sign: { alg } } } : {}),
})

const provider = new Provider(ISSUER, {
  clients: [
    {
      client_id: CLIENT_ID,
      client_secret: setting('TOKENS_CLIENT_SECRET'),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
      // The only key is of TOKENS_ALG; the default (RS256) would have none to sign with.
      id_token_signed_response_alg: alg,
      scope: 'read',
    },
  ],
  jwks: { keys: [jwk] },
  scopes: ['read'],
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => AUDIENCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx: unknown, indicator: string) => {
        if (indicator === AUDIENCE) return resourceServer('jwt', AUDIENCE)
        if (indicator === OPAQUE_AUDIENCE) return resourceServer('opaque', OPAQUE_AUDIENCE)
        throw new errors.InvalidTarget()
      },
    },
  },
})

const server = createServer(provider.callback())
server.listen(listenOptions.port, listenOptions.hostname, () => announce(server.address()))
