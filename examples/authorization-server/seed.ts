import { randomBytes } from 'node:crypto'
import type { AuthorizationServer } from 'gatehouse/authorization-server'
import { SWAGGER_UI_CLIENT } from './app.js'

/** Where the demo app's authorization codes go: a loopback URL, as a CLI or native app uses. */
export const DEMO_REDIRECT_URI = 'http://127.0.0.1:8765/callback'

/**
 * What this start created; the secrets exist nowhere else (the store keeps hashes). A piece made
 * by an earlier start (or by another instance starting at the same moment) is absent.
 */
export interface Seeded {
  password?: string
  appSecret?: string
  serviceSecret?: string
  swaggerClient?: true
}

/**
 * A seed that failed part-way (the database went away): `seeded` is what it made before, whose
 * secrets exist nowhere else, so the start that fails can still show them.
 */
export class SeedFailure extends Error {
  readonly seeded: Seeded
  constructor(cause: unknown, seeded: Seeded) {
    super(cause instanceof Error ? cause.message : String(cause), { cause })
    this.name = 'SeedFailure'
    this.seeded = seeded
  }
}

/**
 * The demo on the store: the user `demo` (all three scopes, a random password) and three clients:
 * `demo-app` (confidential; code, refresh and password grants; read and write), `demo-service`
 * (confidential; client credentials; read, write and admin) and Swagger UI's public client.
 * The instance that makes the user seeds the rest (instances starting together on a new database
 * leave it to the first). One that finds the user already there but clients missing gives such an
 * instance `wait` milliseconds to finish, then makes what is still missing: a first start that
 * failed half-way is completed by the next. `undefined` when everything existed already.
 */
export async function seedDemo(
  server: AuthorizationServer,
  options: { wait?: number } = {},
): Promise<Seeded | undefined> {
  const seeded: Seeded = {}
  try {
    return await seedInto(seeded, server, options.wait ?? 5000)
  } catch (error) {
    throw Object.keys(seeded).length > 0 ? new SeedFailure(error, seeded) : error
  }
}

async function seedInto(
  seeded: Seeded,
  server: AuthorizationServer,
  wait: number,
): Promise<Seeded | undefined> {
  const { admin, issuer, store } = server
  if ((await store.findUserByUsername('demo')) === undefined) {
    const password = randomBytes(12).toString('base64url')
    const made = await unlessTaken(() =>
      admin.createUser({ username: 'demo', password, scopes: ['read', 'write', 'admin'] }),
    )
    if (made) seeded.password = password
  }
  if (seeded.password === undefined && (await clientsAppear(server, wait))) return undefined
  const client = async (
    create: () => Promise<{ clientSecret?: string | undefined }>,
    id: string,
  ) => ((await server.findClient(id)) === undefined ? unlessTaken(create) : undefined)
  const app = await client(
    () =>
      admin.createClient({
        id: 'demo-app',
        name: 'Demo app',
        grantTypes: ['authorization_code', 'refresh_token', 'password'],
        redirectUris: [DEMO_REDIRECT_URI],
        scopes: ['read', 'write'],
      }),
    'demo-app',
  )
  if (app?.clientSecret !== undefined) seeded.appSecret = app.clientSecret
  const service = await client(
    () =>
      admin.createClient({
        id: 'demo-service',
        name: 'Demo service',
        grantTypes: ['client_credentials'],
        scopes: ['read', 'write', 'admin'],
      }),
    'demo-service',
  )
  if (service?.clientSecret !== undefined) seeded.serviceSecret = service.clientSecret
  const swagger = await client(
    () =>
      admin.createClient({
        id: SWAGGER_UI_CLIENT,
        name: 'Swagger UI',
        public: true,
        grantTypes: ['authorization_code', 'refresh_token'],
        redirectUris: [`${issuer}/docs/oauth2-redirect`],
        scopes: ['read', 'write'],
      }),
    SWAGGER_UI_CLIENT,
  )
  if (swagger !== undefined) seeded.swaggerClient = true
  return Object.keys(seeded).length > 0 ? seeded : undefined
}

const CLIENTS = ['demo-app', 'demo-service', SWAGGER_UI_CLIENT]

/** Whether every demo client exists, or comes to within `wait` ms (another instance seeding). */
async function clientsAppear(server: AuthorizationServer, wait: number): Promise<boolean> {
  const deadline = Date.now() + wait
  for (;;) {
    const found = await Promise.all(CLIENTS.map((id) => server.findClient(id)))
    if (found.every((client) => client !== undefined)) return true
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** What `create` made, or `undefined` when another instance starting now made it first. */
async function unlessTaken<T>(create: () => Promise<T>): Promise<T | undefined> {
  try {
    return await create()
  } catch (error) {
    if (/already taken/.test((error as Error).message)) return undefined
    throw error
  }
}
