import { constants, KeyObject, sign } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  type CryptoKey,
  exportJWK,
  generateKeyPair,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose'

/** How the JWKS endpoint answers: normally, late, with a huge body, an error or garbage. */
export type JWKSMode = 'ok' | 'hang' | 'huge' | 'error' | 'garbage' | 'redirect'

/** A signing key of the test issuer, generated for this run. */
export interface IssuerKey {
  readonly kid: string
  readonly alg: string
  readonly publicJWK: JWK
  /** Signs `claims` as is (no defaults added) with this key; `header` adds to `{ alg, kid }`. */
  sign(claims: JWTPayload, header?: Record<string, unknown>): Promise<string>
  /** Signs a claims set given as JSON text (for values jose refuses to write, like `1e400`). */
  signText(payload: string, header?: Record<string, unknown>): string
}

/**
 * A small OAuth 2.0 issuer on 127.0.0.1 for tests: RFC 8414 and OpenID metadata, a JWKS built from
 * the keys it was told to publish, and counters of what was fetched. Nothing leaves the machine.
 */
export interface TestIssuer {
  /** The issuer identifier, `http://127.0.0.1:<port>` plus `path`. */
  readonly issuer: string
  readonly jwksUri: string
  /** Requests received, by path. */
  readonly hits: Map<string, number>
  mode: JWKSMode
  /** Which metadata documents exist; both by default. */
  metadata: {
    oauth: boolean
    openid: boolean
    issuer?: string | undefined
    jwksUri?: string | undefined
  }
  /** Generates a key; published unless `publish: false`. */
  addKey(
    alg: string,
    options?: { kid?: string; publish?: boolean; jwk?: Partial<JWK> },
  ): Promise<IssuerKey>
  /** Publishes exactly these keys (by kid), in this order. */
  publish(...kids: string[]): void
  /** JWKs served as they are after the published keys (an `oct` key, say, that no pair makes). */
  rawKeys: JWK[]
  /** The JWKS as currently served. */
  jwks(): { keys: JWK[] }
  hitsOf(path: string): number
  close(): Promise<void>
}

const curveOf: Record<string, string | undefined> = { EdDSA: 'Ed25519' }

/** Start a test issuer; `path` becomes part of the issuer identifier (RFC 8414 §3.1 tests). */
export async function startTestIssuer(path = ''): Promise<TestIssuer> {
  const keys = new Map<string, { key: IssuerKey; jwk: JWK }>()
  let published: string[] = []
  let counter = 0
  const hits = new Map<string, number>()
  const server = createServer((request, response) => handle(request, response))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const issuerId = `${base}${path}`

  const state: TestIssuer = {
    issuer: issuerId,
    jwksUri: `${base}/jwks.json`,
    hits,
    mode: 'ok',
    metadata: { oauth: true, openid: true },
    async addKey(alg, options = {}) {
      const kid = options.kid ?? `key-${++counter}`
      const crv = curveOf[alg]
      const pair = await generateKeyPair(alg, { extractable: true, ...(crv ? { crv } : {}) })
      const privateKey = pair.privateKey as CryptoKey
      const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig', ...options.jwk }
      const key: IssuerKey = {
        kid,
        alg,
        publicJWK: jwk,
        sign: (claims, header = {}) =>
          new SignJWT(claims).setProtectedHeader({ alg, kid, ...header }).sign(privateKey),
        signText: (payload, header = {}) =>
          signText(alg, privateKey, { alg, kid, ...header }, payload),
      }
      keys.set(kid, { key, jwk })
      if (options.publish !== false) published.push(kid)
      return key
    },
    publish(...kids) {
      published = [...kids]
    },
    rawKeys: [],
    jwks: () => ({
      keys: [...published.flatMap((kid) => keys.get(kid)?.jwk ?? []), ...state.rawKeys],
    }),
    hitsOf: (at) => hits.get(at) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }

  function handle(request: IncomingMessage, response: ServerResponse) {
    const at = new URL(request.url ?? '/', base).pathname
    hits.set(at, (hits.get(at) ?? 0) + 1)
    const json = (body: unknown, status = 200) => {
      response.writeHead(status, { 'content-type': 'application/json' })
      response.end(JSON.stringify(body))
    }
    const metadata = () => ({
      issuer: state.metadata.issuer ?? issuerId,
      jwks_uri: state.metadata.jwksUri ?? state.jwksUri,
      token_endpoint: `${base}/token`,
      response_types_supported: ['code'],
    })
    // RFC 8414 §3.1: a terminating slash of the issuer is dropped before the segment goes in.
    const segment = path.replace(/\/$/, '')
    if (at === `/.well-known/oauth-authorization-server${segment}` && state.metadata.oauth)
      return json(metadata())
    if (at === `${segment}/.well-known/openid-configuration` && state.metadata.openid)
      return json(metadata())
    if (at !== '/jwks.json') return json({ detail: 'Not Found' }, 404)
    switch (state.mode) {
      case 'ok':
        return json(state.jwks())
      case 'hang':
        return // never answers; the client's timeout has to end it
      case 'huge': {
        // A valid JWKS padded to several megabytes, streamed without a content-length.
        response.writeHead(200, { 'content-type': 'application/json' })
        response.write(`{"padding":"`)
        const chunk = 'x'.repeat(64 * 1024)
        for (let i = 0; i < 64; i++) response.write(chunk)
        return response.end(`","keys":${JSON.stringify(state.jwks().keys)}}`)
      }
      case 'error':
        return json({ error: 'unavailable' }, 503)
      case 'garbage':
        response.writeHead(200, { 'content-type': 'application/json' })
        return response.end('<html>not a key set</html>')
      case 'redirect':
        response.writeHead(302, { location: `${base}/elsewhere.json` })
        return response.end()
    }
  }

  return state
}

function signText(alg: string, key: CryptoKey, header: object, payload: string): string {
  const encode = (text: string) => Buffer.from(text).toString('base64url')
  const input = `${encode(JSON.stringify(header))}.${encode(payload)}`
  const object = KeyObject.from(key)
  const hash = alg === 'EdDSA' ? null : `sha${alg.slice(2)}`
  const options = alg.startsWith('ES')
    ? { key: object, dsaEncoding: 'ieee-p1363' as const }
    : alg.startsWith('PS')
      ? {
          key: object,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        }
      : object
  return `${input}.${sign(hash, Buffer.from(input), options).toString('base64url')}`
}
