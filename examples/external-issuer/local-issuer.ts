import {
  cors,
  createPasswordHasher,
  Gatehouse,
  type JSONWebKeySet,
  OAuth2Error,
  OAuth2PasswordRequestFormStrict,
} from 'gatehouse'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { UserStore } from '../scopes/users.js'

export interface LocalIssuerOptions {
  users: UserStore
  /** The `aud` of every token it issues: the API's resource identifier. */
  audience: string
  /** Its own URL, known once it listens. */
  issuer: () => string
  /** The API's origin, whose docs page (Swagger UI's Authorize dialog) posts to `/token`. */
  docsOrigin: string
}

const LIFETIME = 30 * 60

/**
 * A small issuer for trying the example without an identity provider: RFC 8414 metadata, a JWKS
 * with one ES256 key made at start-up, and a password-grant `POST /token` for the tutorial's users
 * that issues RFC 9068 access tokens (`typ: at+jwt`, `scope`, `aud`). A demonstration, not an
 * authorization server: it has no clients, consent, refresh tokens or key rotation.
 */
export async function createLocalIssuer({
  users,
  audience,
  issuer,
  docsOrigin,
}: LocalIssuerOptions) {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
  const kid = `local-${Date.now().toString(36)}`
  const jwks: JSONWebKeySet = {
    keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }],
  }
  const passwords = createPasswordHasher()
  const app = new Gatehouse({ title: 'Local issuer', openapiUrl: null })
  // Another origin than the API's docs page, which fetches the token from there.
  app.use(cors({ origin: docsOrigin }))

  app.get('/.well-known/oauth-authorization-server', {}, () => ({
    issuer: issuer(),
    token_endpoint: `${issuer()}/token`,
    jwks_uri: `${issuer()}/jwks.json`,
    grant_types_supported: ['password'],
    scopes_supported: ['me', 'items'],
    response_types_supported: [],
  }))
  app.get('/jwks.json', {}, () => jwks)

  // RFC 6749 §5.1: an answer carrying a token, or refusing one, is never cached.
  const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' }
  app.post(
    '/token',
    // The strict form: `grant_type=password` is required (RFC 6749 §4.3.2).
    { inputs: { form: OAuth2PasswordRequestFormStrict, response: Response } },
    async ({ form, response }) => {
      for (const [name, value] of Object.entries(noStore)) response.headers.set(name, value)
      const user = await users.find(form.username)
      const { valid } = await passwords.verifyAndUpdate(form.password, user?.hashed_password)
      if (!user || !valid)
        throw new OAuth2Error('invalid_grant', 'Incorrect username or password', {
          headers: noStore,
        })
      const scope = form.scopes.filter((s) => user.allowed_scopes.includes(s)).join(' ')
      const accessToken = await new SignJWT({ scope, client_id: 'local-cli' })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
        .setIssuer(issuer())
        .setAudience(audience)
        .setSubject(user.username)
        .setIssuedAt()
        .setExpirationTime(`${LIFETIME}s`)
        .setJti(crypto.randomUUID())
        .sign(privateKey)
      return { access_token: accessToken, token_type: 'Bearer', expires_in: LIFETIME, scope }
    },
  )

  return app
}
