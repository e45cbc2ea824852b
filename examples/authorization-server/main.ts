import { serve } from 'gatehouse'
import { openStore, redactDatabaseURL } from 'gatehouse/authorization-server'
import { exitAfter } from '../shared/exit-after.js'
import { exitWith as exitWithLine, listenFailure } from '../shared/exit-with.js'
import { ownAddress } from '../shared/own-address.js'
import { createAuthorizationServerApp, SWAGGER_UI_CLIENT } from './app.js'
import { type AuthorizationServerConfig, readAuthorizationServerConfig } from './config.js'
import { type Seeded, SeedFailure, seedDemo } from './seed.js'

/** A set-up mistake (a bad PORT, ISSUER or DATABASE_URL): one line, exit 1, no stack trace. */
const exitWith: (error: unknown) => never = exitWithLine('authorization-server')

let config: AuthorizationServerConfig
try {
  config = readAuthorizationServerConfig()
} catch (error) {
  exitWith(error)
}
// The issuer or resource identifier names the port: PORT=0 becomes a free port first.
const { port, url: ownURL } = await ownAddress(config.host, config.port).catch((error: unknown) =>
  exitWith(listenFailure(config.host, config.port, error)),
)
const issuer = config.issuer ?? ownURL
// openStore's messages name the URL with its password redacted.
const store = await openStore(config.databaseUrl).catch(exitWith)
let created: ReturnType<typeof createAuthorizationServerApp>
try {
  // Throws a TypeError naming the option for an issuer the server cannot use.
  created = createAuthorizationServerApp({
    issuer,
    store,
    clientAddress: config.clientAddress,
    allowedOrigins: config.allowedOrigins,
  })
} catch (error) {
  await store.close()
  // Made from HOST and PORT: say so, as HOST is what to change (or ISSUER to set).
  if (config.issuer === undefined && error instanceof Error)
    exitWith(`the issuer ${ownURL} made from HOST and PORT (set ISSUER): ${error.message}`)
  exitWith(error)
}
const { app, server, resource } = created
// Listening before the demo is seeded: a port in use or a HOST that cannot be bound ends this
// start before it makes secrets, which would then never be shown.
const running = await serve(app, { port, hostname: config.host }).catch(async (error: unknown) => {
  await store.close()
  exitWith(listenFailure(config.host, port, error))
})
/** The secrets this start made, which exist nowhere else (the store keeps hashes). */
function showSecrets(seeded: Seeded, heading: string): void {
  const lines = [heading, 'Their secrets are shown now only (the store keeps hashes):']
  if (seeded.password) lines.push(`  user demo, password ${seeded.password}`)
  if (seeded.appSecret)
    lines.push(
      `  client demo-app (code, refresh, password grants; read write), secret ${seeded.appSecret}`,
    )
  if (seeded.serviceSecret)
    lines.push(
      `  client demo-service (client credentials; read write admin), secret ${seeded.serviceSecret}`,
    )
  if (seeded.swaggerClient)
    lines.push(`  client ${SWAGGER_UI_CLIENT} (public, for the Authorize dialog of ${issuer}/docs)`)
  // Last, so nothing after it reads as part of the hint.
  if (seeded.serviceSecret)
    lines.push(
      'Try:',
      `  curl -s -u demo-service:${seeded.serviceSecret} -d grant_type=client_credentials ${issuer}/token`,
    )
  console.log(lines.join('\n'))
}

const where = redactDatabaseURL(config.databaseUrl)
// A failure here (the database going away mid-seed) is one line, not a stack, after the secrets
// made before it: the next start makes whatever is still missing.
const seeded = await seedDemo(server).catch(async (error: unknown) => {
  if (error instanceof SeedFailure)
    showSecrets(
      error.seeded,
      `The demo was left incomplete in ${where}; the next start completes it.`,
    )
  await running.close()
  await store.close()
  exitWith(error)
})

console.log(
  `Gatehouse authorization server on ${running.url} (issuer ${issuer}, API ${resource}, docs ${issuer}/docs)`,
)
if (seeded) {
  const all = seeded.password && seeded.appSecret && seeded.serviceSecret && seeded.swaggerClient
  showSecrets(
    seeded,
    all
      ? `First start: demo user and clients created in ${where}.`
      : `The demo was incomplete (an earlier start failed half-way); made what was missing in ${where}.`,
  )
} else
  console.log('The demo user and clients exist already; their secrets were shown on first start.')
const swagger = await server.findClient(SWAGGER_UI_CLIENT)
if (!swagger?.redirectUris.includes(`${issuer}/docs/oauth2-redirect`))
  console.warn(
    `The ${SWAGGER_UI_CLIENT} client was registered for another issuer: /docs cannot log in.`,
  )

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    exitAfter(running.close().then(() => store.close()))
  })
}
