import type { Middleware, MiddlewareContext } from '../app/middleware.js'
import { refuseUnknownOptions } from '../core/declare/known-options.js'
import { type Coding, negotiate } from './internal/accept-encoding.js'
import { compressBytes, compressStream, type Levels, loadZlib } from './internal/compression.js'
import { addVary } from './internal/header-lists.js'

/** Settings of {@link compress}. */
export interface CompressOptions {
  /** Smallest body compressed, in bytes; default 1,024 (smaller ones gain little and cost CPU). */
  threshold?: number | undefined
  /**
   * Codings offered, in the server's order of preference; default `['br', 'gzip']`. `'deflate'` may
   * be added. Brotli needs `node:zlib` (Node, Deno, Bun); elsewhere it is skipped.
   */
  encodings?: readonly Coding[] | undefined
  /**
   * Which media types (lower-case, without parameters) are compressed. Default: text (except
   * `text/event-stream`, which must not be held back), JSON, JavaScript, XML, SVG and WebAssembly.
   */
  filter?: ((mediaType: string) => boolean) | undefined
  /** gzip and deflate level, 1–9; default 6. */
  level?: number | undefined
  /** Brotli quality, 0–11; default 4, fast enough for answers made per request. */
  brotliQuality?: number | undefined
}

const KNOWN = new Set(['threshold', 'encodings', 'filter', 'level', 'brotliQuality'])
const CODINGS = new Set<string>(['br', 'gzip', 'deflate'])
const COMPRESSIBLE =
  /^(?:text\/(?!event-stream$)[!#$%&'*+\-.^_`|~0-9a-z]+|application\/(?:json|javascript|ecmascript|x-javascript|xml|wasm|x-www-form-urlencoded)|[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+\+(?:json|xml))$/
const NO_TRANSFORM = /(?:^|,)\s*no-transform\s*(?:,|$)/i
/** Bodies of known size up to this are compressed in one go; larger or unknown ones as a stream. */
const WHOLE_BODY_LIMIT = 64 * 1024

/**
 * Response compression: gzip or brotli (or deflate) for bodies of at least `threshold` bytes whose
 * type compresses well, as the request's `Accept-Encoding` allows (q-values, `*`, `identity;q=0`).
 * A HEAD gets the headers of its GET (a bodiless one, decided by its `Content-Length`, without a
 * length). It leaves alone 304s (which get the `Vary` only),
 * 1xx/204/206 answers, bodies already encoded, and `Cache-Control: no-transform`. It sets `Content-Encoding` and
 * `Vary: Accept-Encoding` (also on bodies below the threshold, as they vary too), turns a
 * strong `ETag` weak (the bytes differ), and recomputes or drops `Content-Length`; streams stay
 * streams. zlib works on libuv's thread pool, so large bodies never block the event loop.
 * @example app.use(compress({ threshold: 1024, encodings: ['br', 'gzip'] }))
 */
export function compress(options: CompressOptions = {}): Middleware {
  const settings = resolveOptions(options)
  // Brotli is offered only where node:zlib is, checked once the first answer needs it.
  let offered: readonly Coding[] | undefined
  return async (ctx, next) => {
    await next()
    offered ??= available(settings.encodings)
    const coding = chooseCoding(ctx, settings, offered)
    if (coding !== undefined) await encode(ctx, coding, settings.levels)
  }
}

interface Settings {
  readonly threshold: number
  readonly encodings: readonly Coding[]
  readonly filter: (mediaType: string) => boolean
  readonly levels: Levels
}

/** The coding to use for this answer, or `undefined` to leave it as it is. */
function chooseCoding(
  ctx: MiddlewareContext,
  settings: Settings,
  offered: readonly Coding[],
): Coding | undefined {
  const status = ctx.status
  if (status < 200 || status === 204 || status === 206) return
  const encoding = ctx.header('content-encoding')
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') return
  if (ctx.header('content-range') !== undefined) return
  if (NO_TRANSFORM.test(ctx.header('cache-control') ?? '')) return
  const type = ctx.header('content-type')
  // A 304 names the Vary its 200 would have (RFC 9110 §15.4.5). HEAD goes on like GET: its
  // headers are GET's (§9.3.2), Content-Encoding, the compressed length and a weakened ETag
  // included, and the engine drops the body.
  if (status === 304) {
    if (type === undefined ? status === 304 : settings.filter(mediaType(type)))
      addVary(ctx, ['Accept-Encoding'])
    return
  }
  if (type === undefined || !settings.filter(mediaType(type))) return
  const size = bodySize(ctx)
  if (size === 0) return
  // From here the bytes sent depend on Accept-Encoding, also for clients that get identity (a small
  // body, say: a client refusing identity gets even that compressed).
  addVary(ctx, ['Accept-Encoding'])
  const { coding, identityRefused } = negotiate(ctx.request.header('accept-encoding'), offered)
  if (size !== undefined && size < settings.threshold && !(identityRefused && coding)) return
  return coding
}

/**
 * The size the decision is made on. A HEAD answered without a body (`staticFiles` does not open
 * the file) declares its GET's length, so deciding from it gives the HEAD its GET's headers.
 */
function bodySize(ctx: MiddlewareContext): number | undefined {
  const size = ctx.bodySize
  if (size !== 0 || ctx.request.method !== 'HEAD') return size
  const declared = ctx.header('content-length')
  return declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : 0
}

async function encode(ctx: MiddlewareContext, coding: Coding, levels: Levels): Promise<void> {
  const size = ctx.bodySize
  const response = ctx.response
  const headers = new Headers(response.headers)
  headers.set('content-encoding', coding)
  headers.delete('content-length')
  const etag = headers.get('etag')
  if (etag?.startsWith('"')) headers.set('etag', `W/${etag}`)
  const init = { status: response.status, statusText: response.statusText, headers }
  // A bodiless HEAD (see `bodySize`): no compressed length to tell without the bytes, and RFC
  // 9110 §9.3.2 lets a HEAD leave out what only making the content would say.
  if (response.body === null) ctx.response = new Response(null, init)
  else if (size !== undefined && size <= WHOLE_BODY_LIMIT) {
    const bytes = await compressBytes(coding, new Uint8Array(await response.arrayBuffer()), levels)
    headers.set('content-length', String(bytes.byteLength))
    ctx.response = new Response(bytes as Uint8Array<ArrayBuffer>, init)
  } else ctx.response = new Response(compressStream(coding, response.body, levels), init)
}

function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';')
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase()
}

function available(encodings: readonly Coding[]): readonly Coding[] {
  return loadZlib() === undefined ? encodings.filter((coding) => coding !== 'br') : encodings
}

function resolveOptions(options: CompressOptions): Settings {
  refuseUnknownOptions('compress', options, KNOWN)
  const threshold = options.threshold ?? 1024
  if (!Number.isSafeInteger(threshold) || threshold < 0)
    throw new TypeError('compress: `threshold` must be a non-negative integer (bytes)')
  const encodings = options.encodings ?? ['br', 'gzip']
  if (
    !Array.isArray(encodings) ||
    encodings.length === 0 ||
    !encodings.every((coding) => CODINGS.has(coding))
  )
    throw new TypeError('compress: `encodings` must list one or more of "br", "gzip", "deflate"')
  const filter = options.filter ?? ((type: string) => COMPRESSIBLE.test(type))
  if (typeof filter !== 'function') throw new TypeError('compress: `filter` must be a function')
  const level = options.level ?? 6
  if (!Number.isInteger(level) || level < 1 || level > 9)
    throw new TypeError('compress: `level` must be an integer from 1 to 9')
  const brotli = options.brotliQuality ?? 4
  if (!Number.isInteger(brotli) || brotli < 0 || brotli > 11)
    throw new TypeError('compress: `brotliQuality` must be an integer from 0 to 11')
  return { threshold, encodings: [...new Set(encodings)], filter, levels: { zlib: level, brotli } }
}
