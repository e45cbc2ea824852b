import os from 'node:os'
import autocannon, { type Result } from 'autocannon'
import type { BenchConfig } from './config.js'
import type { RequestSpec } from './scenario.js'
import type { ServerProcess } from './server-process.js'

/** One measured run against one target. */
export interface Measurement {
  readonly rps: number
  readonly p50Ms: number
  readonly p99Ms: number
  /** Server CPU time over wall time during the measured run; ~100 means the server was the limit. */
  readonly serverCPUPercent: number
  /** The same for this (load generating) process; ~100 means autocannon was the limit. */
  readonly loadCPUPercent: number
  /** CPU the rest of the machine used meanwhile (approximate); more than a few % means noise. */
  readonly otherCPUPercent: number
}

export interface LoadOptions {
  readonly connections: number
  /** Seconds; ignored when `amount` is given. */
  readonly duration?: number
  /** Exactly this many requests, however long they take. */
  readonly amount?: number
  /** A body per request (a different user for every login, say) instead of `request.body`. */
  readonly body?: () => string
}

/** Load `url` with `request` and return autocannon's result, unchecked. */
export function runLoad(url: string, request: RequestSpec, options: LoadOptions) {
  const { body } = options
  return autocannon({
    url: `${url}${request.path}`,
    method: request.method,
    ...(request.headers ? { headers: { ...request.headers } } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(body ? { requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }] } : {}),
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : {}),
    ...(options.duration !== undefined ? { duration: options.duration } : {}),
    // Logins queue behind slow hashes; only a stuck server should time out.
    timeout: 30,
  })
}

/**
 * Throw on socket errors, timeouts, answers with a status class other than the expected one, or no
 * answer at all.
 */
export function checkLoad(name: string, request: RequestSpec, result: Result): void {
  if (result.errors > 0 || result.timeouts > 0)
    throw new Error(
      `"${name}" ${request.path}: ${result.errors} socket errors, ${result.timeouts} timeouts`,
    )
  const unexpected = request.expectStatus < 300 ? result.non2xx : result['2xx']
  if (unexpected > 0)
    throw new Error(`"${name}" ${request.path}: ${unexpected} answers with an unexpected status`)
  if (result.requests.total === 0) throw new Error(`"${name}" ${request.path}: no answer`)
}

/** CPU time all cores have spent busy since boot. */
function machineBusyMicros(): number {
  let ms = 0
  for (const { times } of os.cpus()) ms += times.user + times.nice + times.sys + times.irq
  return ms * 1000
}

/** CPU shares while `work` runs: the server's, this process's, and everything else's. */
export interface CPUShares {
  readonly serverCPUPercent: number
  readonly loadCPUPercent: number
  readonly otherCPUPercent: number
}

/** Run `work` and measure who used the CPU meanwhile. */
export async function withCPU<T>(
  server: ServerProcess,
  work: () => Promise<T>,
): Promise<{ value: T } & CPUShares> {
  const serverBefore = await server.stats()
  const loadBefore = process.cpuUsage()
  const machineBefore = machineBusyMicros()
  const started = performance.now()
  const value = await work()
  const wallMicros = (performance.now() - started) * 1000
  const loadCPU = process.cpuUsage(loadBefore)
  const machineBusy = machineBusyMicros() - machineBefore
  const serverAfter = await server.stats()
  const serverMicros = serverAfter.cpuMicros - serverBefore.cpuMicros
  const loadMicros = loadCPU.user + loadCPU.system
  return {
    value,
    serverCPUPercent: (serverMicros / wallMicros) * 100,
    loadCPUPercent: (loadMicros / wallMicros) * 100,
    otherCPUPercent: (Math.max(0, machineBusy - serverMicros - loadMicros) / wallMicros) * 100,
  }
}

/** Requests per second and latency of a checked result. */
export function rates(result: Result) {
  return {
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  }
}

/**
 * Warm a target up for `config.warmup` seconds, then load it for `config.duration` seconds with
 * `config.connections` connections, and check the result.
 */
export async function measure(
  server: ServerProcess,
  request: RequestSpec,
  config: BenchConfig,
): Promise<Measurement> {
  const connections = config.connections
  checkLoad(
    server.target.name,
    request,
    await runLoad(server.url, request, { connections, duration: config.warmup }),
  )
  const run = await withCPU(server, () =>
    runLoad(server.url, request, { connections, duration: config.duration }),
  )
  checkLoad(server.target.name, request, run.value)
  return { ...rates(run.value), ...run }
}

/**
 * Wait until the server has used under 5% of a core for a quarter second (at most `maxMs`), so work
 * left over from a run (queued logins) does not spill into the next.
 */
export async function waitUntilIdle(server: ServerProcess, maxMs = 15_000): Promise<void> {
  const until = performance.now() + maxMs
  let before = (await server.stats()).cpuMicros
  while (performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    const now = (await server.stats()).cpuMicros
    if (now - before < 12_500) return
    before = now
  }
}
