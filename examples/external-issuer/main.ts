import { createJWTVerifier, type RunningServer, serve } from 'gatehouse'
import { openUserStore } from '../scopes/users.js'
import { exitAfter } from '../shared/exit-after.js'
import { ownAddress } from '../shared/own-address.js'
import { createExternalIssuerApp } from './app.js'
import { readExternalIssuerConfig } from './config.js'
import { readIssuerEndpoints } from './issuer-endpoints.js'
import { createLocalIssuer } from './local-issuer.js'

const config = readExternalIssuerConfig()
const users = await openUserStore(config.database)
// The issuer or resource identifier names the port: PORT=0 becomes a free port first.
const { port, url: ownURL } = await ownAddress(config.host, config.port)
const resource = config.resourceUrl ?? ownURL
const audience = config.audience ?? resource

let issuer = config.issuerUrl
let localIssuer: RunningServer | undefined
if (issuer === undefined) {
  let url = ''
  const docsOrigin = new URL(ownURL).origin
  const app = await createLocalIssuer({ users, audience, issuer: () => url, docsOrigin })
  localIssuer = await serve(app, { port: config.localIssuerPort, hostname: config.host })
  url = localIssuer.url
  issuer = url
}

const endpoints = await readIssuerEndpoints(issuer)
// `typ` is not pinned: ISSUER_URL may be a provider that types its access tokens otherwise
// (Keycloak `Bearer`, Entra ID `JWT`). For an RFC 9068 issuer (the local one, Auth0, Gatehouse's
// own authorization server) add `typ: 'at+jwt'`, which keeps its ID tokens out (RFC 8725 §3.11).
const verifier = createJWTVerifier({ issuer, audience, scopeClaim: 'scope' })
const app = createExternalIssuerApp({ users, verifier, resource, issuer, ...endpoints })
const server = await serve(app, { port, hostname: config.host })

console.log(`Gatehouse tutorial API on ${server.url} (resource ${resource}, issuer ${issuer})`)
if (localIssuer)
  console.log(
    `No ISSUER_URL: a local issuer runs on ${localIssuer.url}. Get a token for johndoe:\n` +
      `  curl -s -X POST ${endpoints.tokenUrl} -d 'grant_type=password&username=johndoe&password=secret&scope=me items'`,
  )

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    exitAfter(Promise.all([server.close(), localIssuer?.close()]).then(() => users.close()))
  })
}
