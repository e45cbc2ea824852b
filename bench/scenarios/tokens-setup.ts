import path from 'node:path'
import { createAdministration, openSQLiteStore } from 'gatehouse/authorization-server'
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import type { RequestSpec } from '../lib/scenario.js'
import type { ServerProcess } from '../lib/server-process.js'
import {
  type Algorithm,
  AUDIENCE,
  CLIENT_ID,
  ISSUER,
  LOGIN_CLIENT_ID,
  OPAQUE_AUDIENCE,
  PASSWORD,
  USERNAME,
} from '../servers/tokens/common.js'

/** What the bench registered in a fresh Gatehouse database before the servers start. */
export interface Provisioned {
  readonly database: string
  /** The `client_credentials` client's secret; oidc-provider is configured with the same. */
  readonly clientSecret: string
  /** The password-grant client's secret (Gatehouse only). */
  readonly loginSecret: string
}

/** A fresh SQLite database with the bench client, the login client and the user (Argon2id). */
export async function provision(dir: string, alg: Algorithm): Promise<Provisioned> {
  const database = path.join(dir, `tokens-${alg.toLowerCase()}.db`)
  const store = await openSQLiteStore(database)
  try {
    const admin = createAdministration({ store })
    const { clientSecret } = await admin.createClient({
      id: CLIENT_ID,
      grantTypes: ['client_credentials'],
      scopes: ['read'],
    })
    const login = await admin.createClient({
      id: LOGIN_CLIENT_ID,
      grantTypes: ['password'],
      scopes: ['read'],
    })
    await admin.createUser({ username: USERNAME, password: PASSWORD, scopes: ['read'] })
    return {
      database,
      clientSecret: clientSecret as string,
      loginSecret: login.clientSecret as string,
    }
  } finally {
    await store.close()
  }
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

const form = (fields: Record<string, string>, authorization: string) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
  body: new URLSearchParams(fields).toString(),
})

/** `client_credentials` with `client_secret_basic`, scope `read`: the token request of both. */
export function tokenRequest(secret: string, resource?: string): RequestSpec {
  const fields: Record<string, string> = { grant_type: 'client_credentials', scope: 'read' }
  if (resource !== undefined) fields.resource = resource
  return {
    method: 'POST',
    path: '/token',
    ...form(fields, basic(CLIENT_ID, secret)),
    expectStatus: 200,
  }
}

/** An introspection of `token` by the bench client at `path`. */
export function introspectionRequest(path: string, token: string, secret: string): RequestSpec {
  return { method: 'POST', path, ...form({ token }, basic(CLIENT_ID, secret)), expectStatus: 200 }
}

/** The password grant for the bench user (Gatehouse only). */
export function loginRequest(loginSecret: string): RequestSpec {
  const fields = { grant_type: 'password', username: USERNAME, password: PASSWORD, scope: 'read' }
  return {
    method: 'POST',
    path: '/token',
    ...form(fields, basic(LOGIN_CLIENT_ID, loginSecret)),
    expectStatus: 200,
  }
}

async function send(server: ServerProcess, request: RequestSpec): Promise<Record<string, unknown>> {
  const response = await fetch(`${server.url}${request.path}`, {
    method: request.method,
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
  })
  const text = await response.text()
  const name = server.target.name
  if (response.status !== request.expectStatus)
    throw new Error(`tokens: ${name} ${request.path} answered ${response.status}: ${text}`)
  if (response.headers.get('cache-control') !== 'no-store')
    throw new Error(`tokens: ${name} ${request.path} answered without Cache-Control: no-store`)
  return JSON.parse(text) as Record<string, unknown>
}

/**
 * Asks `server` for a token once and checks it is what the other server issues too: a Bearer
 * token for scope `read`, a JWT of `alg` with `typ: at+jwt`, issuer and audience, whose
 * signature verifies against the server's own JWKS. Resolves to the token.
 */
export async function checkToken(
  server: ServerProcess,
  request: RequestSpec,
  alg: Algorithm,
  jwksPath: string,
): Promise<string> {
  const body = await send(server, request)
  const name = server.target.name
  const token = body.access_token
  if (body.token_type !== 'Bearer' || body.scope !== 'read' || typeof token !== 'string')
    throw new Error(`tokens: ${name} issued ${JSON.stringify(body)}`)
  const header = decodeProtectedHeader(token)
  if (header.alg !== alg || header.typ !== 'at+jwt')
    throw new Error(`tokens: ${name} signed ${JSON.stringify(header)}, expected ${alg} at+jwt`)
  const keys = createRemoteJWKSet(new URL(`${server.url}${jwksPath}`))
  const { payload } = await jwtVerify(token, keys, { issuer: ISSUER, audience: AUDIENCE })
  if (payload.client_id !== CLIENT_ID || payload.scope !== 'read')
    throw new Error(`tokens: ${name} token claims ${JSON.stringify(payload)}`)
  return token
}

/** An opaque token from oidc-provider, the only kind it introspects. */
export async function opaqueToken(server: ServerProcess, secret: string): Promise<string> {
  const body = await send(server, tokenRequest(secret, OPAQUE_AUDIENCE))
  const token = body.access_token
  if (typeof token !== 'string' || token.includes('.'))
    throw new Error(`tokens: ${server.target.name} did not issue an opaque token`)
  return token
}

/** Checks that an introspection answers `active: true` for the bench client. */
export async function checkIntrospection(server: ServerProcess, request: RequestSpec) {
  const body = await send(server, request)
  if (body.active !== true || body.client_id !== CLIENT_ID)
    throw new Error(`tokens: ${server.target.name} introspected ${JSON.stringify(body)}`)
}

/** Checks one password-grant login. */
export async function checkLogin(server: ServerProcess, request: RequestSpec) {
  const body = await send(server, request)
  if (typeof body.access_token !== 'string' || body.refresh_token !== undefined)
    throw new Error(`tokens: ${server.target.name} login answered ${JSON.stringify(body)}`)
}
