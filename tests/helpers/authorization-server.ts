import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createPasswordHasher, Gatehouse, Security } from 'gatehouse'
import {
  type AuthorizationServer,
  type AuthorizationServerOptions,
  type AuthorizationServerStore,
  createAuthorizationServer,
  createMemoryStore,
  openSQLiteStore,
} from 'gatehouse/authorization-server'
import { afterAll } from 'vitest'
import { captureLogger, type Send, type Transport, transports } from './http.js'

export const ISSUER = 'https://auth.example.com'
export const START = 1_900_000_000

/** Cheap Argon2id costs: the tests check behaviour, not hashing strength. */
export const testPasswords = createPasswordHasher({ memoryCost: 1024, timeCost: 1, workers: 1 })

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-as-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let files = 0

/** The two store backends every endpoint test runs against. */
export const stores = {
  memory: async () => createMemoryStore(),
  sqlite: () => openSQLiteStore(join(dir, `server-${++files}.db`)),
} as const

export type StoreKind = keyof typeof stores

/** Every endpoint test runs through both engines and on both stores. */
export const matrix: readonly { name: string; transport: Transport; store: StoreKind }[] =
  transports.flatMap((transport) =>
    (['memory', 'sqlite'] as const).map((store) => ({
      name: `${transport.name}, ${store}`,
      transport,
      store,
    })),
  )

/** A clock the tests move by hand. */
export interface Clock {
  now(): number
  advance(seconds: number): void
}

export interface Fixture {
  server: AuthorizationServer
  app: Gatehouse
  store: AuthorizationServerStore
  send: Send
  clock: Clock
  logs: unknown[][]
  /** Secrets of the registered confidential clients. */
  secrets: { web: string; service: string; narrow: string }
  /** User ids. */
  users: { ada: string; bob: string; eve: string }
  close(): Promise<void>
}

/**
 * A server with three scopes (`read`, `write`, `admin`), default `read`, a protected API
 * (`/api/read`, `/api/write`), and these clients and users:
 * - `web` (confidential): authorization_code, refresh_token, password; read write
 * - `spa` (public): authorization_code, refresh_token; read write
 * - `service` (confidential): client_credentials; read admin
 * - `narrow` (confidential): password only (no refresh tokens); read
 * - `ada` read write admin, `bob` read, `eve` disabled; passwords `<name>-password`
 */
export async function openFixture(
  transport: Transport,
  storeKind: StoreKind,
  options: Partial<AuthorizationServerOptions> = {},
  /** Adds the test's own routes before the app is served. */
  setup?: (app: Gatehouse, server: AuthorizationServer) => void,
): Promise<Fixture> {
  let time = START
  const clock: Clock = {
    now: () => time,
    advance(seconds) {
      time += seconds
    },
  }
  const store = await stores[storeKind]()
  const server = createAuthorizationServer({
    issuer: ISSUER,
    store,
    scopes: { read: 'Read your data', write: 'Change your data', admin: 'Administer' },
    defaultScopes: ['read'],
    resources: ['https://api.example.com', 'https://other.example.com'],
    passwords: testPasswords,
    now: clock.now,
    clientAddress: (request) => request.header('x-test-address') ?? request.remoteAddress,
    ...options,
  })
  const admin = server.admin
  const web = await admin.createClient({
    id: 'web',
    name: 'Web app',
    grantTypes: ['authorization_code', 'refresh_token', 'password'],
    redirectUris: ['https://app.example.com/callback', 'https://app.example.com/other'],
    scopes: ['read', 'write'],
  })
  await admin.createClient({
    id: 'spa',
    public: true,
    grantTypes: ['authorization_code', 'refresh_token'],
    redirectUris: ['http://127.0.0.1:5173/cb'],
    scopes: ['read', 'write'],
  })
  const service = await admin.createClient({
    id: 'service',
    grantTypes: ['client_credentials'],
    scopes: ['read', 'admin'],
  })
  const narrow = await admin.createClient({
    id: 'narrow',
    grantTypes: ['password'],
    scopes: ['read'],
  })
  const ada = await admin.createUser({
    username: 'ada',
    password: 'ada-password',
    scopes: ['read', 'write', 'admin'],
  })
  const bob = await admin.createUser({
    username: 'bob',
    password: 'bob-password',
    scopes: ['read'],
  })
  const eve = await admin.createUser({
    username: 'eve',
    password: 'eve-password',
    scopes: ['read'],
    disabled: true,
  })

  const logger = captureLogger()
  const app = new Gatehouse({ logger })
  app.include(server.router)
  app.get(
    '/api/read',
    { inputs: { me: Security(server.currentPrincipal, { scopes: ['read'] }) } },
    ({ me }) => ({ subject: me.subject, clientId: me.clientId, scopes: me.scopes }),
  )
  app.get(
    '/api/write',
    { inputs: { me: Security(server.currentPrincipal, { scopes: ['write'] }) } },
    ({ me }) => ({ subject: me.subject }),
  )
  setup?.(app, server)
  const opened = await transport.open(app)
  return {
    server,
    app,
    store,
    send: opened.send,
    clock,
    logs: logger.calls,
    secrets: {
      web: web.clientSecret as string,
      service: service.clientSecret as string,
      narrow: narrow.clientSecret as string,
    },
    users: { ada: ada.id, bob: bob.id, eve: eve.id },
    async close() {
      await opened.close()
      await store.close()
    },
  }
}

/** `Authorization: Basic` for a client, its id and secret form-encoded first (RFC 6749 §2.3.1). */
export function basic(id: string, secret: string): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+')
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`
}

/** A form POST to `path` with `fields` (repeated keys allowed) and extra headers. */
export function postForm(
  send: Send,
  path: string,
  fields: Record<string, string | string[]> | string,
  headers: Record<string, string> = {},
): Promise<Response> {
  const body = typeof fields === 'string' ? fields : formBody(fields)
  return send(path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  })
}

function formBody(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(fields))
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item)
  return params.toString()
}

/** The claims of a JWT, unverified (the tests check them; verification is tested separately). */
export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString())
}

/** The protected header of a JWT. */
export function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] as string, 'base64url').toString())
}

/** `Authorization: Bearer` for a token. */
export const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } })
