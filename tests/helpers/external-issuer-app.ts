import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createJWTVerifier, type JWTVerifierOptions } from 'gatehouse'
import { createExternalIssuerApp } from '../../examples/external-issuer/app.js'
import { openSQLiteUserStore } from '../../examples/scopes/users.js'
import type { Send, Transport } from './http.js'
import type { TestIssuer } from './issuer-server.js'

/** The resource identifier the external-issuer tests use for the example API. */
export const RESOURCE = 'http://127.0.0.1:8000'

/**
 * The external-issuer example app in front of a {@link TestIssuer}, its users in a fresh SQLite file,
 * its verifier discovering the issuer's keys over HTTP on 127.0.0.1. `close()` removes the file.
 */
export function externalIssuerApp(issuer: TestIssuer, options: Partial<JWTVerifierOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-external-'))
  const users = openSQLiteUserStore(join(dir, 'users.db'))
  const verifier = createJWTVerifier({
    issuer: issuer.issuer,
    audience: RESOURCE,
    scopeClaim: 'scope',
    cacheSize: 0,
    ...options,
    remote: { timeout: 500, maxBytes: 64 * 1024, ...options.remote },
  })
  const app = createExternalIssuerApp({
    users,
    verifier,
    resource: RESOURCE,
    issuer: issuer.issuer,
    tokenUrl: `${issuer.issuer}/token`,
  })
  return {
    app,
    close() {
      users.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/**
 * {@link externalIssuerApp} opened through `transport`: a sender, and a `close` that stops the
 * transport, the example (its users file) and the issuer, in that order.
 */
export async function openExternalIssuerApp(
  transport: Transport,
  issuer: TestIssuer,
  options: Partial<JWTVerifierOptions> = {},
): Promise<{ send: Send; close(): Promise<void> }> {
  const example = externalIssuerApp(issuer, options)
  const opened = await transport.open(example.app)
  return {
    send: opened.send,
    async close() {
      await opened.close()
      example.close()
      await issuer.close()
    },
  }
}
