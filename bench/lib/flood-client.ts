import { connect } from 'node:net'

/** What the bench asks the flood process to send, as JSON in `FLOOD` (see {@link runFlood}). */
export interface FloodSpec {
  readonly port: number
  readonly connections: number
  readonly seconds: number
  readonly path: string
  /** The form sent, a password of `passwordBytes` characters appended to it. */
  readonly form: string
  readonly passwordBytes: number
}

/** How the flood's requests were answered: by status, or `reset`, `error`, `unanswered`. */
export type FloodOutcome = Record<string, number>

/**
 * One request on its own connection: write the head and the body, read the status line, close.
 * A server that refuses a body before reading it may reset the connection; that counts as `reset`.
 */
function exchange(spec: FloodSpec, head: Buffer, body: Buffer, deadline: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(spec.port, '127.0.0.1')
    let answer = ''
    const done = (outcome: string) => {
      clearTimeout(timer)
      socket.destroy()
      resolve(outcome)
    }
    // The phase ends for everyone at the deadline: whatever is still waiting was never answered.
    const timer = setTimeout(() => done('unanswered'), Math.max(0, deadline - Date.now()))
    socket.on('connect', () => {
      socket.write(head)
      socket.write(body)
    })
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1')
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]
      if (status) done(status)
    })
    socket.on('error', (error: NodeJS.ErrnoException) =>
      done(error.code === 'ECONNRESET' || error.code === 'EPIPE' ? 'reset' : 'error'),
    )
    socket.on('close', () => done(answer === '' ? 'reset' : 'error'))
  })
}

/**
 * `connections` clients, each sending `POST path` with the form and its long password again and
 * again until `seconds` are over, a new connection per request, as a flooding client would. The
 * body is one buffer shared by every request, so the flood itself costs little memory.
 */
export async function flood(spec: FloodSpec): Promise<FloodOutcome> {
  const body = Buffer.from(`${spec.form}${'x'.repeat(spec.passwordBytes)}`)
  const head = Buffer.from(
    `POST ${spec.path} HTTP/1.1\r\nHost: 127.0.0.1:${spec.port}\r\nConnection: close\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n`,
  )
  const deadline = Date.now() + spec.seconds * 1000
  const outcome: FloodOutcome = {}
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (Date.now() < deadline) {
        const result = await exchange(spec, head, body, deadline)
        outcome[result] = (outcome[result] ?? 0) + 1
      }
    }),
  )
  return outcome
}

// Run as its own process by `runFlood` (bench/lib/flood.ts), so the flood's sockets never delay
// the load generator that measures the protected GETs.
if (process.env.FLOOD && process.send) {
  const spec = JSON.parse(process.env.FLOOD) as FloodSpec
  const outcome = await flood(spec)
  process.send(outcome, () => process.exit(0))
}
