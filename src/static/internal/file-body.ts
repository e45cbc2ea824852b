import type { FileHandle } from 'node:fs/promises'

const CHUNK = 64 * 1024

/**
 * A file's first `size` bytes as a Web stream read 64 KiB at a time, only as fast as the client
 * takes them. The handle is closed at the end, on error and when the reader cancels (a client that
 * left). A file that shrinks while being sent errors the stream rather than ending it short of the
 * `Content-Length` already sent.
 */
export function fileBody(handle: FileHandle, size: number): ReadableStream<Uint8Array> {
  let position = 0
  let closed = false
  const close = () => {
    if (closed) return
    closed = true
    handle.close().catch(() => {})
  }
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const length = Math.min(CHUNK, size - position)
          if (length <= 0) {
            close()
            controller.close()
            return
          }
          const buffer = new Uint8Array(length)
          const { bytesRead } = await handle.read(buffer, 0, length, position)
          if (bytesRead === 0) throw new Error('the file shrank while it was being sent')
          position += bytesRead
          controller.enqueue(bytesRead === length ? buffer : buffer.subarray(0, bytesRead))
          if (position >= size) {
            close()
            controller.close()
          }
        } catch (error) {
          close()
          controller.error(error)
        }
      },
      cancel() {
        close()
      },
    },
    { highWaterMark: 1 },
  )
}
