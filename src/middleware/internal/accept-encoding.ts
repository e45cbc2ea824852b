import { TOKEN } from './header-lists.js'

/** The content codings {@link compress} can produce (RFC 9110 §8.4.1; `deflate` is the zlib format). */
export type Coding = 'br' | 'gzip' | 'deflate'

/** What `Accept-Encoding` allows: the coding to use, if any, and whether identity was refused. */
export interface Negotiated {
  readonly coding: Coding | undefined
  /** `identity;q=0`, or `*;q=0` without identity listed: the client wants no uncompressed body. */
  readonly identityRefused: boolean
}

const NONE: Negotiated = { coding: undefined, identityRefused: false }
const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/

/**
 * Pick a coding from `offered` (the server's order of preference breaks ties) for an
 * `Accept-Encoding` value (RFC 9110 §12.5.3): q-values, `*`, `identity`, `x-gzip` as `gzip`. Items
 * that do not parse are ignored, so garbage means no compression. No header: no compression either
 * (the RFC allows any coding, but a client that sends none rarely decodes any).
 */
export function negotiate(header: string | undefined, offered: readonly Coding[]): Negotiated {
  if (header === undefined) return NONE
  const weights = parseAcceptEncoding(header)
  if (weights.size === 0) return NONE
  const any = weights.get('*')
  const weight = (coding: string) => weights.get(coding) ?? any ?? 0
  const identity = weights.get('identity') ?? (any === 0 ? 0 : undefined)
  let best: Coding | undefined
  let bestWeight = 0
  for (const coding of offered) {
    const q = weight(coding)
    if (q > bestWeight) {
      best = coding
      bestWeight = q
    }
  }
  // A client that ranks identity above every coding it accepts gets identity.
  if (best !== undefined && identity !== undefined && identity > bestWeight) best = undefined
  return { coding: best, identityRefused: identity === 0 }
}

/** Coding (lower-case) → q-value; the first mention of a coding counts. */
function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>()
  for (const item of header.split(',')) {
    const [rawName = '', ...params] = item.split(';')
    let name = rawName.trim().toLowerCase()
    if (name === '' || !TOKEN.test(name)) continue
    if (name === 'x-gzip') name = 'gzip'
    let q: number | undefined = 1
    for (const param of params) {
      const eq = param.indexOf('=')
      if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'q') continue
      const value = param.slice(eq + 1).trim()
      q = QVALUE.test(value) ? Number(value) : undefined
    }
    if (q !== undefined && !weights.has(name)) weights.set(name, q)
  }
  return weights
}
