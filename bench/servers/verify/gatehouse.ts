import {
  createCurrentPrincipal,
  createJWTVerifier,
  Gatehouse,
  OAuth2PasswordBearer,
  Security,
  serve,
} from 'gatehouse'
import { announce, listenOptions } from '../../lib/listen.js'
import { ALGORITHMS, AUDIENCE, ISSUER, jwks, users } from './common.js'

// The same route on Gatehouse: `createJWTVerifier` over the local JWKS with its verified-token
// cache off, so every request checks a signature like the hand-written server does.
const verifier = createJWTVerifier({
  issuer: ISSUER,
  audience: AUDIENCE,
  keys: jwks,
  algorithms: [...ALGORITHMS],
  clockTolerance: 0,
  cacheSize: 0,
})
const current = createCurrentPrincipal({
  scheme: new OAuth2PasswordBearer({ tokenUrl: 'token', scopes: { me: 'Read me' } }),
  jwt: verifier,
  loadPrincipal: (subject) => users.get(subject),
  errors: 'rfc6750',
})
const app = new Gatehouse()
app.get('/me', { inputs: { user: Security(current, { scopes: ['me'] }) } }, ({ user }) => user)
const server = await serve(app, listenOptions)
announce(server.port)
