import os from 'node:os'
import autocannon from 'autocannon'
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

/** CPU time all cores have spent busy since boot. */
function machineBusyMicros(): number {
  let ms = 0
  for (const { times } of os.cpus()) ms += times.user + times.nice + times.sys + times.irq
  return ms * 1000
}

function load(server: ServerProcess, request: RequestSpec, config: BenchConfig, seconds: number) {
  return autocannon({
    url: `${server.url}${request.path}`,
    method: request.method,
    ...(request.headers ? { headers: { ...request.headers } } : {}),
    ...(request.body !== undefined ? { body: request.body } : {}),
    connections: config.connections,
    duration: seconds,
  })
}

/**
 * Warm a target up for `config.warmup` seconds, then load it for `config.duration` seconds. Throws
 * on socket errors, timeouts, or answers with a status class other than the expected one.
 */
export async function measure(
  server: ServerProcess,
  request: RequestSpec,
  config: BenchConfig,
): Promise<Measurement> {
  await load(server, request, config, config.warmup)
  const serverBefore = await server.stats()
  const loadBefore = process.cpuUsage()
  const machineBefore = machineBusyMicros()
  const started = performance.now()
  const result = await load(server, request, config, config.duration)
  const wallMicros = (performance.now() - started) * 1000
  const loadCPU = process.cpuUsage(loadBefore)
  const machineBusy = machineBusyMicros() - machineBefore
  const serverAfter = await server.stats()

  const name = server.target.name
  if (result.errors > 0 || result.timeouts > 0)
    throw new Error(
      `"${name}": ${result.errors} socket errors, ${result.timeouts} timeouts under load`,
    )
  const unexpected = request.expectStatus < 300 ? result.non2xx : result['2xx']
  if (unexpected > 0) throw new Error(`"${name}": ${unexpected} answers with an unexpected status`)
  if (result.requests.total === 0) throw new Error(`"${name}": no request completed`)

  const serverMicros = serverAfter.cpuMicros - serverBefore.cpuMicros
  const loadMicros = loadCPU.user + loadCPU.system
  return {
    rps: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    serverCPUPercent: (serverMicros / wallMicros) * 100,
    loadCPUPercent: (loadMicros / wallMicros) * 100,
    otherCPUPercent: (Math.max(0, machineBusy - serverMicros - loadMicros) / wallMicros) * 100,
  }
}
