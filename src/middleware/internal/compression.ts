import type * as Zlib from 'node:zlib'
import type { Coding } from './accept-encoding.js'

/** Compression levels, resolved from the options. */
export interface Levels {
  /** zlib level for gzip and deflate, 1–9. */
  readonly zlib: number
  /** Brotli quality, 0–11. */
  readonly brotli: number
}

let zlib: typeof Zlib | null | undefined

/**
 * `node:zlib` where the runtime has it (Node, Deno, Bun), loaded on first use so the package still
 * loads elsewhere; `undefined` means Web `CompressionStream` (gzip and deflate only).
 */
export function loadZlib(): typeof Zlib | undefined {
  if (zlib === undefined) {
    const get = typeof process === 'object' ? process.getBuiltinModule : undefined
    zlib =
      typeof get === 'function' ? ((get('node:zlib') as typeof Zlib | undefined) ?? null) : null
  }
  return zlib ?? undefined
}

/** Compress a whole body in one go, off the event loop (zlib runs it on libuv's thread pool). */
export function compressBytes(
  coding: Coding,
  bytes: Uint8Array,
  levels: Levels,
): Promise<Uint8Array> {
  const z = loadZlib()
  if (z === undefined)
    return new Response(webCompress(coding, new Blob([bytes as Uint8Array<ArrayBuffer>]).stream()))
      .arrayBuffer()
      .then((buffer) => new Uint8Array(buffer))
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, result: Buffer) => (error ? reject(error) : resolve(result))
    if (coding === 'br') z.brotliCompress(bytes, brotliOptions(z, levels, bytes.byteLength), done)
    else if (coding === 'gzip') z.gzip(bytes, { level: levels.zlib }, done)
    else z.deflate(bytes, { level: levels.zlib }, done)
  })
}

/** Compress a stream chunk by chunk, with backpressure both ways; cancelling it cancels the source. */
export function compressStream(
  coding: Coding,
  body: ReadableStream<Uint8Array>,
  levels: Levels,
): ReadableStream<Uint8Array> {
  const z = loadZlib()
  if (z === undefined) return webCompress(coding, body)
  if (coding === 'br')
    return throughNodeTransform(
      body,
      z.createBrotliCompress(brotliOptions(z, levels, undefined)),
      z.constants.BROTLI_OPERATION_FLUSH,
    )
  const transform =
    coding === 'gzip'
      ? z.createGzip({ level: levels.zlib })
      : z.createDeflate({ level: levels.zlib })
  return throughNodeTransform(body, transform, z.constants.Z_SYNC_FLUSH)
}

function brotliOptions(
  z: typeof Zlib,
  levels: Levels,
  size: number | undefined,
): Zlib.BrotliOptions {
  const params: Record<number, number> = { [z.constants.BROTLI_PARAM_QUALITY]: levels.brotli }
  if (size !== undefined) params[z.constants.BROTLI_PARAM_SIZE_HINT] = size
  return { params }
}

function webCompress(coding: Coding, body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  if (coding === 'br') throw new TypeError('compress: brotli needs node:zlib')
  return body.pipeThrough(
    new CompressionStream(coding) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>,
  )
}

type NodeTransform = Zlib.Gzip | Zlib.Deflate | Zlib.BrotliCompress

/**
 * A Web stream through a zlib transform. Each chunk of the source is flushed once written (a sync
 * flush, which keeps the dictionary), so what the app streams reaches the client as it is made;
 * brotli would otherwise hold back its first 8 MiB. Waiting for each flush is the backpressure: the
 * source is read only as fast as the client takes the output.
 */
function throughNodeTransform(
  body: ReadableStream<Uint8Array>,
  transform: NodeTransform,
  flushKind: number,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  // Failures reach the reader through the iterator; this keeps a late one from being unhandled.
  transform.on('error', () => {})
  const output = transform[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  const pump = async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done || transform.destroyed) break
        transform.write(value)
        await new Promise<void>((resolve) => {
          const done = () => {
            transform.off('close', done)
            resolve()
          }
          transform.once('close', done)
          transform.flush(flushKind, done)
        })
        if (transform.destroyed) break
      }
      if (!transform.destroyed) transform.end()
    } catch (error) {
      transform.destroy(error as Error)
    }
  }
  return new ReadableStream<Uint8Array>({
    start() {
      void pump()
    },
    async pull(controller) {
      const { done, value } = await output.next()
      if (done) controller.close()
      else controller.enqueue(new Uint8Array(value.buffer, value.byteOffset, value.byteLength))
    },
    async cancel(reason) {
      transform.destroy()
      await reader.cancel(reason)
    },
  })
}
