/** Load settings, from the environment so `npm run bench` needs no flags. */
export interface BenchConfig {
  /** Seconds measured per target per round. */
  readonly duration: number
  /** Seconds of unmeasured load before each measurement. */
  readonly warmup: number
  readonly rounds: number
  readonly connections: number
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
    duration: positive('BENCH_DURATION', 5, false),
    warmup: positive('BENCH_WARMUP', 1, false),
    rounds: positive('BENCH_ROUNDS', 2, true),
    connections: positive('BENCH_CONNECTIONS', 50, true),
  }
}

/** Seconds of load a run generates: every target, every round, warm-up included. */
export function plannedSeconds(config: BenchConfig, targets: number): number {
  return targets * config.rounds * (config.duration + config.warmup)
}
