/** Load settings, from the environment so `npm run bench` needs no flags. */
export interface BenchConfig {
  /** Seconds measured per target per round, and per phase of the `logins` scenario. */
  readonly duration: number
  /** Seconds of unmeasured load before each measurement. */
  readonly warmup: number
  readonly rounds: number
  readonly connections: number
  /** Requests of the `memory` scenario's run, after which the server's RSS is read. */
  readonly memoryRequests: number
  /** Logins of each kind the `login-timing` scenario times, one after another, interleaved. */
  readonly timingAttempts: number
  /** Clients sending `POST /token` at once in the `login-flood` scenario. */
  readonly floodConnections: number
}

function positive(name: string, fallback: number, integer: boolean): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)))
    throw new TypeError(
      `${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`,
    )
  return value
}

export function readConfig(): BenchConfig {
  return {
    duration: positive('BENCH_DURATION', 4, false),
    warmup: positive('BENCH_WARMUP', 1, false),
    rounds: positive('BENCH_ROUNDS', 2, true),
    connections: positive('BENCH_CONNECTIONS', 50, true),
    memoryRequests: positive('BENCH_MEMORY_REQUESTS', 100_000, true),
    timingAttempts: positive('BENCH_TIMING_ATTEMPTS', 200, true),
    floodConnections: positive('BENCH_FLOOD_CONNECTIONS', 1500, true),
  }
}
