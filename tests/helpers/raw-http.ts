import { connect } from 'node:net'

/** The status line, headers and body of a raw HTTP/1.1 answer. */
export interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
  /** Whether the server closed the connection after answering. */
  closed: boolean
}

/**
 * Send `request` bytes as they are (malformed ones included) to 127.0.0.1:`port` and read one answer:
 * what a fuzzer or a broken client sends, which `fetch` would refuse to.
 */
export function rawRequest(port: number, request: string, timeout = 5_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    let done = false
    const timer = setTimeout(() => finish(new Error('no answer in time')), timeout)
    const finish = (error?: Error) => {
      if (done) return
      done = true
      clearTimeout(timer)
      socket.destroy()
      if (error) return reject(error)
      resolve(parse(data, closed))
    }
    let closed = false
    socket.setEncoding('latin1')
    socket.on('data', (chunk: string) => {
      data += chunk
      if (complete(data, request.startsWith('HEAD '))) finish()
    })
    socket.on('end', () => {
      closed = true
      finish()
    })
    socket.on('error', () => finish())
    socket.write(request)
  })
}

/** Whether `data` holds a whole answer (by Content-Length; bodyless otherwise, and for HEAD). */
function complete(data: string, head: boolean): boolean {
  const end = data.indexOf('\r\n\r\n')
  if (end < 0) return false
  if (head || /^HTTP\/1\.1 (1\d\d|204|304)/.test(data)) return true
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(data.slice(0, end))
  return length
    ? data.length - end - 4 >= Number(length[1])
    : !/transfer-encoding/i.test(data.slice(0, end))
}

function parse(data: string, closed: boolean): RawAnswer {
  const end = data.indexOf('\r\n\r\n')
  const head = end < 0 ? data : data.slice(0, end)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return {
    status: Number(statusLine.split(' ')[1] ?? 0),
    headers,
    body: end < 0 ? '' : data.slice(end + 4),
    closed,
  }
}
