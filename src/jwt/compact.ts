import { InvalidTokenError } from '../core/errors/index.js'
import { isPlainObject } from '../core/plain-object.js'
import { nodeBuffer } from './node.js'

/** A compact JWS whose shape and header passed the checks that come before the signature. */
export interface CompactParts {
  header: Readonly<Record<string, unknown>>
  /** The header's `alg`, one of the accepted algorithms. */
  alg: string
  /** The header's `kid`, when it has one (always a string). */
  kid: string | undefined
  /** `header.payload`, the bytes the signature covers (ASCII by construction). */
  signingInput: string
  payload: string
  signature: string
}

/** What a header must satisfy before any key is touched. */
export interface HeaderRules {
  /** The accepted `alg` values: never taken from the token alone. */
  readonly algorithms: readonly string[]
  /** When set, the header must carry exactly this `kid`. */
  readonly kid?: string | undefined
  /** When set, the header's `typ` must be this media type (RFC 9068 `at+jwt`), compared per RFC 7515. */
  readonly typ?: string | undefined
}

/** Splits and checks a compact JWS; throws `InvalidTokenError` for anything unacceptable. */
export type CompactParser = (token: unknown) => CompactParts

const COMPACT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const utf8 = new TextDecoder('utf-8', { fatal: true })
const HEADER_CACHE_SIZE = 64

/**
 * A parser that checks a compact JWS before any key is touched, the same way for every signature
 * path: strict unpadded base64url (canonical, so the same bytes have exactly one spelling), a JSON
 * object header, no `crit` extensions, an accepted `alg`, a string `kid` (the pinned one, when
 * pinned) and the required `typ`. Headers that passed are remembered: an issuer sends the same few.
 */
export function createCompactParser(rules: HeaderRules): CompactParser {
  const algorithms = new Set(rules.algorithms)
  const typ = rules.typ === undefined ? undefined : normalizeMediaType(rules.typ)
  const checked = new Map<string, Readonly<Record<string, unknown>>>()

  const checkHeader = (encoded: string): Readonly<Record<string, unknown>> => {
    if (!isCanonical(encoded)) throw new InvalidTokenError('token_malformed')
    const header = decodeJSONObject(encoded)
    // No extension is supported, so a critical one can never be honoured (RFC 7515 §4.1.11).
    if (header === undefined || header.crit !== undefined)
      throw new InvalidTokenError('token_malformed')
    if (typeof header.alg !== 'string' || header.alg === '')
      throw new InvalidTokenError('token_malformed')
    if (!algorithms.has(header.alg)) throw new InvalidTokenError('token_algorithm_invalid')
    if (header.kid !== undefined && typeof header.kid !== 'string')
      throw new InvalidTokenError('token_malformed')
    if (rules.kid !== undefined && header.kid !== rules.kid)
      throw new InvalidTokenError('token_claim_invalid', 'kid')
    if (
      typ !== undefined &&
      (typeof header.typ !== 'string' || normalizeMediaType(header.typ) !== typ)
    )
      throw new InvalidTokenError('token_type_invalid', 'typ')
    if (checked.size >= HEADER_CACHE_SIZE) checked.clear()
    const frozen = Object.freeze(header)
    checked.set(encoded, frozen)
    return frozen
  }

  return (token) => {
    if (typeof token !== 'string' || !COMPACT.test(token))
      throw new InvalidTokenError('token_malformed')
    const first = token.indexOf('.')
    const second = token.indexOf('.', first + 1)
    const payload = token.slice(first + 1, second)
    const signature = token.slice(second + 1)
    if (!isCanonical(payload) || !isCanonical(signature))
      throw new InvalidTokenError('token_malformed')
    const encodedHeader = token.slice(0, first)
    const header = checked.get(encodedHeader) ?? checkHeader(encodedHeader)
    return {
      header,
      alg: header.alg as string,
      kid: header.kid as string | undefined,
      signingInput: token.slice(0, second),
      payload,
      signature,
    }
  }
}

/** RFC 7515 §4.1.9: media types compare case-insensitively, `application/` may be left out. */
function normalizeMediaType(value: string): string {
  const lower = value.toLowerCase()
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower
}

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
  return nodeBuffer ? nodeBuffer.from(segment, 'base64url') : decodeWithAtob(segment)
}

/**
 * Whether a compact JWS is three segments of canonical unpadded base64url (the signature may not
 * be empty): one spelling of the same bytes, so no one can re-encode a token it was given into a
 * second string. Not one string per token: an ECDSA signature (r, s) has a twin (r, n − s) that
 * verifies too (RFC 7518 §3.4 does not ask for low S), so nothing may key a deny-list on the token
 * string; revocation goes by `jti` and grant, caches hold only what verified.
 */
export function isCanonicalCompactJWS(token: string): boolean {
  if (!SIGNED_COMPACT_JWS.test(token)) return false
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  return (
    isCanonical(token.slice(0, first)) &&
    isCanonical(token.slice(first + 1, second)) &&
    isCanonical(token.slice(second + 1))
  )
}

/** Three base64url segments, the signature not empty: the shape of a signed compact JWS. */
export const SIGNED_COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

function isCanonical(segment: string): boolean {
  const rest = segment.length % 4
  if (rest === 0) return true
  if (rest === 1) return false
  // The unused low bits of the last character must be zero.
  const last = ALPHABET.indexOf(segment.charAt(segment.length - 1))
  return (last & (rest === 2 ? 0x0f : 0x03)) === 0
}

/** base64url without Node's `Buffer` (other runtimes): through `atob`. */
function decodeWithAtob(segment: string): Uint8Array {
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
