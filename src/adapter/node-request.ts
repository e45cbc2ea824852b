import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { BodyTooLargeError } from '../core/errors/index.js'
import {
  BaseRequestView,
  checkDeclaredLength,
  concatBytes,
  queryStringOf,
  WebRequestView,
} from '../core/run/request-view.js'

/**
 * A request view straight over Node's `IncomingMessage`: headers, query and body are read from it
 * directly, and a Web `Request` is only built if something asks for one (a `Request` input, or a
 * docs page). This is what keeps a protected route close to a hand-written `node:http` handler.
 */
export class NodeRequestView extends BaseRequestView {
  readonly #incoming: IncomingMessage
  #request: Request | undefined
  #bodyRead = false
  /** Set when the body was refused unread: the connection must close after the answer. */
  closeConnection = false

  constructor(incoming: IncomingMessage) {
    super()
    this.#incoming = incoming
  }

  protected queryString(): string {
    return queryStringOf(this.#incoming.url ?? '')
  }

  header(name: string): string | undefined {
    const value = this.#incoming.headers[name.toLowerCase()]
    return Array.isArray(value) ? value.join(', ') : value
  }

  override get remoteAddress(): string | undefined {
    return this.#incoming.socket?.remoteAddress
  }

  get request(): Request {
    this.#request ??= this.#toRequest()
    return this.#request
  }

  async readBody(limit: number): Promise<Uint8Array> {
    try {
      if (this.#request !== undefined || this.#bodyRead)
        return await new WebRequestView(this.request).readBody(limit)
      this.#bodyRead = true
      checkDeclaredLength(this.header('content-length'), limit)
      const chunks: Uint8Array[] = []
      let total = 0
      for await (const chunk of this.#incoming as AsyncIterable<Buffer>) {
        total += chunk.byteLength
        if (total > limit) throw new BodyTooLargeError(limit)
        chunks.push(chunk)
      }
      return concatBytes(chunks, total)
    } catch (error) {
      // The rest of the body is never read, so this connection cannot carry another request.
      if (error instanceof BodyTooLargeError) this.closeConnection = true
      throw error
    }
  }

  #toRequest(): Request {
    const incoming = this.#incoming
    const headers = new Headers()
    for (let i = 0; i < incoming.rawHeaders.length; i += 2) {
      const name = incoming.rawHeaders[i] as string
      // HTTP/2 pseudo-headers are not headers of the Web request.
      if (!name.startsWith(':')) headers.append(name, incoming.rawHeaders[i + 1] as string)
    }
    const target = incoming.url ?? '/'
    const url = /^https?:\/\//i.test(target)
      ? target
      : `http://${incoming.headers.host ?? 'localhost'}${target}`
    const method = incoming.method ?? 'GET'
    const withBody = method !== 'GET' && method !== 'HEAD' && !this.#bodyRead
    return new Request(url, {
      method,
      headers,
      ...(withBody
        ? { body: Readable.toWeb(incoming) as ReadableStream<Uint8Array>, duplex: 'half' }
        : {}),
    } as RequestInit)
  }
}
