import {
  createCurrentPrincipal,
  createJWTVerifier,
  Gatehouse,
  OAuth2ClientCredentials,
  Security,
  serve,
} from 'gatehouse'
import { exitAfter } from '../shared/exit-after.js'
import { portFromEnv } from '../shared/port.js'

// An API somewhere else: it verifies the instances' access tokens through their JWKS alone
// (fetched through the load balancer and cached), with no access to their database. Revoking a
// token takes effect here when it expires, so keep access tokens short-lived (the default 15
// minutes), or use `createIntrospectionVerifier` where a revocation must count at once.
const issuer = process.env.ISSUER ?? 'http://127.0.0.1:8000'
const verifier = createJWTVerifier({
  issuer,
  audience: process.env.AUDIENCE ?? `${issuer}/api`,
  jwksUri: `${issuer}/.well-known/jwks.json`,
  typ: 'at+jwt',
  scopeClaim: 'scope',
})
const scheme = new OAuth2ClientCredentials({
  tokenUrl: `${issuer}/token`,
  scopes: { read: 'Read your data', write: 'Change your data' },
})
const currentPrincipal = createCurrentPrincipal({
  scheme,
  jwt: verifier,
  loadPrincipal: (subject, token) => ({ subject, scopes: token.scopes }),
  errors: 'rfc6750',
})

const app = new Gatehouse({ title: 'An API elsewhere', version: '1.0.0' })
app.get(
  '/whoami',
  { inputs: { me: Security(currentPrincipal, { scopes: ['read'] }) } },
  ({ me }) => me,
)
const running = await serve(app, {
  port: portFromEnv('PORT', process.env.PORT, 9000),
  hostname: process.env.HOST ?? '127.0.0.1',
})
console.log(`API on ${running.url}, trusting ${issuer}`)
process.once('SIGTERM', () => exitAfter(running.close()))
