import { createServer } from 'node:net'
import { createJWTVerifier, type RunningServer, serve } from 'gatehouse'
import { openUserStore } from '../scopes/users.js'
import { createExternalIssuerApp } from './app.js'
import { readExternalIssuerConfig } from './config.js'
import { readIssuerEndpoints } from './issuer-endpoints.js'
import { createLocalIssuer } from './local-issuer.js'

const config = readExternalIssuerConfig()
const users = await openUserStore(config.database)
// The resource identifier names the port, so PORT=0 is resolved to a free port first.
const port = config.port === 0 ? await freePort(config.host) : config.port
const resource = config.resourceUrl ?? `http://${hostInURL(config.host)}:${port}`
const audience = config.audience ?? resource

let issuer = config.issuerUrl
let localIssuer: RunningServer | undefined
if (issuer === undefined) {
  let url = ''
  const app = await createLocalIssuer({ users, audience, issuer: () => url })
  localIssuer = await serve(app, { port: config.localIssuerPort, hostname: config.host })
  url = localIssuer.url
  issuer = url
}

const endpoints = await readIssuerEndpoints(issuer)
const verifier = createJWTVerifier({ issuer, audience, scopeClaim: 'scope' })
const app = createExternalIssuerApp({ users, verifier, resource, issuer, ...endpoints })
const server = await serve(app, { port, hostname: config.host })

console.log(`Gatehouse tutorial API on ${server.url} (resource ${resource}, issuer ${issuer})`)
if (localIssuer)
  console.log(
    `No ISSUER_URL: a local issuer runs on ${localIssuer.url}. Get a token for johndoe:\n` +
      `  curl -s -X POST ${endpoints.tokenUrl} -d 'username=johndoe&password=secret&scope=me items'`,
  )

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.all([server.close(), localIssuer?.close()])
      .then(() => users.close())
      .finally(() => process.exit(0))
  })
}

function hostInURL(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, host, () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
