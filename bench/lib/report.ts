import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import type { BenchConfig } from './config.js'
import type { Measurement } from './load.js'

/** One line of the results: a target's medians over the rounds, or one run of a phase. */
export interface ResultRow {
  scenario: string
  target: string
  /** Requests (or, for `login …` rows, logins) per second. */
  rps: number
  p50_ms: number
  p99_ms: number
  /** Resident memory of the server process after its last run. */
  rss_mb: number
  /** `rps` over the raw baseline's for the same request; `null` where there is none. */
  ratio_to_raw: number | null
  server_cpu_pct: number
  loadgen_cpu_pct: number
  /** CPU used by everything else on the machine meanwhile; high values mean noisy figures. */
  other_cpu_pct: number
  /** Requests per second of every round, in order, to judge the spread. */
  rounds_rps: number[]
  method?: string
  path?: string
  /** Whether the server ran on one CPU (see `pinning` in the results file). */
  pinned?: boolean
  /** Resident memory right after the server started, before any request. */
  rss_idle_mb?: number
  /** Requests of a fixed-size run (`memory`). */
  requests?: number
  /** `logins` rows measured with logins running alongside: the logins per second meanwhile. */
  concurrent_logins_per_s?: number
  /** `logins`: requests per second over the same server's without logins running alongside. */
  ratio_to_quiet?: number
  /** `login-timing`: logins timed for this row (`p50_ms` is their median). */
  attempts?: number
  /** `login-timing`: this row's median over the median of the wrong-password row it sits with. */
  median_ratio?: number
  /** `login-flood`: the server's largest resident memory, sampled during the flood. */
  max_rss_mb?: number
  /** `login-flood`: how the flood's requests were answered, by status (or `reset`, `unanswered`). */
  flood?: Record<string, number>
  /** `login-flood`: measured requests that failed (socket error, timeout, unexpected status). */
  failed_requests?: number
  /** `tokens`: tokens per second over the signing loop's signatures per second on the same core. */
  ratio_to_limit?: number
}

export interface Machine {
  cpu: string
  cores: number
  node: string
  platform: string
  /** The 1-minute load average when the run started: other work skews figures. */
  loadavg_1m: number
  date: string
}

export function describeMachine(): Machine {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
    loadavg_1m: round(os.loadavg()[0] ?? 0, 2),
    date: new Date().toISOString(),
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  if (sorted.length === 0) return Number.NaN
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

export const round = (value: number, digits: number) => Number(value.toFixed(digits))

export const megabytes = (bytes: number) => round(bytes / 1024 / 1024, 1)

/** A row from one run (no rounds to take the median of). */
export function singleRow(
  scenario: string,
  target: string,
  run: Measurement,
  rssBytes: number,
  extra: Partial<ResultRow> = {},
): ResultRow {
  return {
    scenario,
    target,
    rps: round(run.rps, run.rps < 100 ? 2 : 0),
    p50_ms: round(run.p50Ms, 2),
    p99_ms: round(run.p99Ms, 2),
    rss_mb: megabytes(rssBytes),
    ratio_to_raw: null,
    server_cpu_pct: round(run.serverCPUPercent, 0),
    loadgen_cpu_pct: round(run.loadCPUPercent, 0),
    other_cpu_pct: round(run.otherCPUPercent, 0),
    rounds_rps: [round(run.rps, 2)],
    ...extra,
  }
}

/** Reduce measurements to one row per target (medians over rounds), with ratios to the baseline. */
export function summarise(
  scenario: string,
  baseline: string,
  samples: ReadonlyMap<string, readonly Measurement[]>,
  extra: (target: string) => Partial<ResultRow>,
): ResultRow[] {
  const rows = [...samples].map(
    ([target, runs]): ResultRow => ({
      scenario,
      target,
      rps: round(median(runs.map((run) => run.rps)), 0),
      p50_ms: round(median(runs.map((run) => run.p50Ms)), 2),
      p99_ms: round(median(runs.map((run) => run.p99Ms)), 2),
      rss_mb: Number.NaN,
      ratio_to_raw: null,
      server_cpu_pct: round(median(runs.map((run) => run.serverCPUPercent)), 0),
      loadgen_cpu_pct: round(median(runs.map((run) => run.loadCPUPercent)), 0),
      other_cpu_pct: round(Math.max(...runs.map((run) => run.otherCPUPercent)), 0),
      rounds_rps: runs.map((run) => round(run.rps, 0)),
      ...extra(target),
    }),
  )
  const base = rows.find((row) => row.target === baseline)?.rps
  for (const row of rows) row.ratio_to_raw = base ? round(row.rps / base, 3) : null
  return rows
}

const mb = (value: number | undefined) => (value === undefined ? '' : value.toFixed(1))

const columns: [header: string, cell: (row: ResultRow) => string][] = [
  ['scenario', (row) => row.scenario],
  ['target', (row) => row.target],
  ['req/s', (row) => row.rps.toLocaleString('en-US')],
  ['p50 ms', (row) => row.p50_ms.toFixed(2)],
  ['p99 ms', (row) => row.p99_ms.toFixed(2)],
  ['RSS MB', (row) => mb(row.rss_mb)],
  ['idle MB', (row) => mb(row.rss_idle_mb)],
  ['vs raw', (row) => (row.ratio_to_raw === null ? '' : `${row.ratio_to_raw.toFixed(2)}x`)],
  ['server CPU', (row) => `${row.server_cpu_pct}%`],
  ['loadgen CPU', (row) => `${row.loadgen_cpu_pct}%`],
]

/** A plain-text table, the names left-aligned and the figures right-aligned. */
export function formatTable(rows: readonly ResultRow[]): string {
  const cells = [
    columns.map(([header]) => header),
    ...rows.map((row) => columns.map(([, cell]) => cell(row))),
  ]
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)))
  const pad = (text: string, i: number) =>
    i < 2 ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0)
  const lines = cells.map((line) => line.map(pad).join('  ').trimEnd())
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '))
  return lines.join('\n')
}

/** Write the results file that later runs and issues can diff against. */
export async function writeResults(
  file: URL,
  results: {
    machine: Machine
    config: BenchConfig
    pinning: string
    rows: readonly ResultRow[]
    summary: Record<string, unknown>
  },
): Promise<void> {
  await mkdir(new URL('.', file), { recursive: true })
  const { machine, config, pinning, rows, summary } = results
  const settings = {
    duration_s: config.duration,
    warmup_s: config.warmup,
    rounds: config.rounds,
    connections: config.connections,
    memory_requests: config.memoryRequests,
    pinning,
  }
  await writeFile(file, `${JSON.stringify({ machine, settings, rows, ...summary }, null, 2)}\n`)
}
