import { base64url } from 'jose'
import { InvalidTokenError } from '../core/errors/index.js'
import { nodeBuffer } from './node.js'

/** A compact JWS whose shape and header passed the checks that come before the signature. */
export interface CompactParts {
  header: Readonly<Record<string, unknown>>
  /** `header.payload`, the bytes the signature covers (ASCII by construction). */
  signingInput: string
  payload: string
  signature: string
}

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Splits and checks a compact JWS before any key is touched, the same way for every signature path:
 * strict unpadded base64url (canonical, so a signature has exactly one spelling), a JSON object
 * header, no `crit` extensions, `alg` equal to the pinned algorithm and, when pinned, the same `kid`.
 */
export function parseCompact(token: unknown, algorithm: string, kid: string | undefined) {
  if (typeof token !== 'string' || !COMPACT.test(token))
    throw new InvalidTokenError('token_malformed')
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  const parts: CompactParts = {
    header: {},
    signingInput: token.slice(0, second),
    payload: token.slice(first + 1, second),
    signature: token.slice(second + 1),
  }
  const encodedHeader = token.slice(0, first)
  if (!isCanonical(parts.payload) || !isCanonical(parts.signature)) {
    throw new InvalidTokenError('token_malformed')
  }
  const known = checkedHeaders.get(encodedHeader)
  if (known !== undefined && known.algorithm === algorithm && known.kid === kid) {
    parts.header = known.header
    return parts
  }
  if (!isCanonical(encodedHeader)) throw new InvalidTokenError('token_malformed')
  const header = decodeJSONObject(encodedHeader)
  // No extension is supported, so a critical one can never be honoured (RFC 7515 §4.1.11).
  if (header === undefined || header.crit !== undefined)
    throw new InvalidTokenError('token_malformed')
  if (typeof header.alg !== 'string' || header.alg === '') {
    throw new InvalidTokenError('token_malformed')
  }
  if (header.alg !== algorithm) throw new InvalidTokenError('token_algorithm_invalid')
  if (kid !== undefined && header.kid !== kid)
    throw new InvalidTokenError('token_claim_invalid', 'kid')
  parts.header = header
  // One issuer sends the same few headers over and over: remember the ones that passed.
  if (checkedHeaders.size >= 64) checkedHeaders.clear()
  checkedHeaders.set(encodedHeader, { header: Object.freeze(header), algorithm, kid })
  return parts
}

/** Encoded headers that passed every check, for the algorithm and `kid` they were checked against. */
const checkedHeaders = new Map<
  string,
  { header: Readonly<Record<string, unknown>>; algorithm: string; kid: string | undefined }
>()

/** Decodes a base64url segment holding a JSON object; `undefined` when it is anything else. */
export function decodeJSONObject(segment: string): Record<string, unknown> | undefined {
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(decodeBase64url(segment)))
  } catch {
    return undefined
  }
  return isPlainObject(value) ? value : undefined
}

/** Decodes a segment already known to be canonical base64url. */
export function decodeBase64url(segment: string): Uint8Array {
  return nodeBuffer ? nodeBuffer.from(segment, 'base64url') : base64url.decode(segment)
}

function isCanonical(segment: string): boolean {
  const rest = segment.length % 4
  if (rest === 0) return true
  if (rest === 1) return false
  // The unused low bits of the last character must be zero.
  const last = ALPHABET.indexOf(segment.charAt(segment.length - 1))
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
