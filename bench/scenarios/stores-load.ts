import { Agent, request } from 'node:http'

/** One request of a chain: what to send, given the answer to the one before (none at first). */
export interface ChainRequest {
  readonly method: 'POST'
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
}

/**
 * A load where each connection's next request depends on its last answer (a refresh token is
 * used once, so every rotation sends the token the previous one returned), which autocannon's
 * shared request templates cannot express.
 */
export interface ChainLoad {
  readonly connections: number
  /** Seconds. */
  readonly duration: number
  /** The request connection `connection` sends next. */
  next(connection: number): ChainRequest
  /** Connection `connection`'s last request was answered 200 with this JSON. */
  answered?(connection: number, body: unknown): void
}

export interface ChainResult {
  readonly requests: number
  /** Seconds. */
  readonly duration: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Answers other than 200, socket errors. */
  readonly failures: number
  readonly firstFailure: string | undefined
}

function send(
  agent: Agent,
  url: URL,
  spec: ChainRequest,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        agent,
        method: spec.method,
        path: spec.path,
        headers: { ...spec.headers, 'content-length': Buffer.byteLength(spec.body) },
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => {
          body += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(spec.body)
  })
}

/** Runs `load` against `base` (keep-alive connections, one request in flight on each). */
export async function runChains(base: string, load: ChainLoad): Promise<ChainResult> {
  const url = new URL(base)
  const agent = new Agent({ keepAlive: true, maxSockets: load.connections })
  const latencies: number[] = []
  let failures = 0
  let firstFailure: string | undefined
  const started = performance.now()
  const until = started + load.duration * 1000
  await Promise.all(
    Array.from({ length: load.connections }, async (_, connection) => {
      while (performance.now() < until && failures === 0) {
        const sentAt = performance.now()
        try {
          const { status, body } = await send(agent, url, load.next(connection))
          if (status !== 200) throw new Error(`status ${status}: ${body.slice(0, 200)}`)
          load.answered?.(connection, JSON.parse(body))
          latencies.push(performance.now() - sentAt)
        } catch (error) {
          failures++
          firstFailure ??= (error as Error).message
        }
      }
    }),
  )
  const duration = (performance.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
  return {
    requests: latencies.length,
    duration,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    failures,
    firstFailure,
  }
}
