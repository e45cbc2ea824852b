import { randomBytes } from 'node:crypto'
import type { AuthorizationServer } from 'gatehouse/authorization-server'
import { SWAGGER_UI_CLIENT } from './app.js'

/** Where the demo app's authorization codes go: a loopback URL, as a CLI or native app uses. */
export const DEMO_REDIRECT_URI = 'http://127.0.0.1:8765/callback'

/** What a first start created; the secrets exist nowhere else (the store keeps hashes). */
export interface Seeded {
  password: string
  appSecret: string
  serviceSecret: string
}

/**
 * On a new store: the user `demo` (all three scopes, a random password) and three clients:
 * `demo-app` (confidential; code, refresh and password grants; read and write), `demo-service`
 * (confidential; client credentials; read, write and admin) and Swagger UI's public client.
 * `undefined` when they exist already, or when another instance on the same database is creating
 * them at this moment (it prints their secrets).
 */
export async function seedDemo(server: AuthorizationServer): Promise<Seeded | undefined> {
  if (await server.findClient(SWAGGER_UI_CLIENT)) return undefined
  const password = randomBytes(12).toString('base64url')
  const { admin, issuer } = server
  try {
    await admin.createUser({ username: 'demo', password, scopes: ['read', 'write', 'admin'] })
  } catch (error) {
    // Instances starting together on a new database: the first to create the user seeds.
    if (/already taken/.test((error as Error).message)) return undefined
    throw error
  }
  const app = await admin.createClient({
    id: 'demo-app',
    name: 'Demo app',
    grantTypes: ['authorization_code', 'refresh_token', 'password'],
    redirectUris: [DEMO_REDIRECT_URI],
    scopes: ['read', 'write'],
  })
  const service = await admin.createClient({
    id: 'demo-service',
    name: 'Demo service',
    grantTypes: ['client_credentials'],
    scopes: ['read', 'write', 'admin'],
  })
  // Created last: its presence says the seeding finished.
  await admin.createClient({
    id: SWAGGER_UI_CLIENT,
    name: 'Swagger UI',
    public: true,
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: [`${issuer}/docs/oauth2-redirect`],
    scopes: ['read', 'write'],
  })
  return {
    password,
    appSecret: app.clientSecret as string,
    serviceSecret: service.clientSecret as string,
  }
}
