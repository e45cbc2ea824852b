import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import type { BenchConfig } from './config.js'
import type { Measurement } from './load.js'

/** One line of the results: a target's medians over the rounds. */
export interface ResultRow {
  scenario: string
  target: string
  rps: number
  p50_ms: number
  p99_ms: number
  /** Resident memory of the server process after its last round. */
  rss_mb: number
  ratio_to_raw: number
  server_cpu_pct: number
  loadgen_cpu_pct: number
  /** CPU used by everything else on the machine meanwhile; high values mean noisy figures. */
  other_cpu_pct: number
  /** Requests per second of every round, in order, to judge the spread. */
  rounds_rps: number[]
}

export interface Machine {
  cpu: string
  cores: number
  node: string
  platform: string
  date: string
}

export function describeMachine(): Machine {
  const cpus = os.cpus()
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    node: process.version,
    platform: `${process.platform} ${os.release()} ${process.arch}`,
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

const round = (value: number, digits: number) => Number(value.toFixed(digits))

/** Reduce a scenario's measurements to one row per target, with ratios to the baseline. */
export function summarise(
  scenario: string,
  baseline: string,
  samples: ReadonlyMap<string, readonly Measurement[]>,
  rssBytes: ReadonlyMap<string, number>,
): ResultRow[] {
  const rows = [...samples].map(([target, runs]) => ({
    scenario,
    target,
    rps: round(median(runs.map((run) => run.rps)), 0),
    p50_ms: round(median(runs.map((run) => run.p50Ms)), 2),
    p99_ms: round(median(runs.map((run) => run.p99Ms)), 2),
    rss_mb: round((rssBytes.get(target) ?? Number.NaN) / 1024 / 1024, 1),
    ratio_to_raw: 0,
    server_cpu_pct: round(median(runs.map((run) => run.serverCPUPercent)), 0),
    loadgen_cpu_pct: round(median(runs.map((run) => run.loadCPUPercent)), 0),
    other_cpu_pct: round(Math.max(...runs.map((run) => run.otherCPUPercent)), 0),
    rounds_rps: runs.map((run) => round(run.rps, 0)),
  }))
  const base = rows.find((row) => row.target === baseline)?.rps ?? Number.NaN
  for (const row of rows) row.ratio_to_raw = round(row.rps / base, 3)
  return rows
}

const columns: [header: string, cell: (row: ResultRow) => string][] = [
  ['target', (row) => row.target],
  ['req/s', (row) => row.rps.toLocaleString('en-US')],
  ['p50 ms', (row) => row.p50_ms.toFixed(2)],
  ['p99 ms', (row) => row.p99_ms.toFixed(2)],
  ['RSS MB', (row) => row.rss_mb.toFixed(1)],
  ['vs raw', (row) => `${row.ratio_to_raw.toFixed(2)}x`],
  ['server CPU', (row) => `${row.server_cpu_pct}%`],
  ['loadgen CPU', (row) => `${row.loadgen_cpu_pct}%`],
]

/** A plain-text table, first column left-aligned and the figures right-aligned. */
export function formatTable(rows: readonly ResultRow[]): string {
  const cells = [
    columns.map(([header]) => header),
    ...rows.map((row) => columns.map(([, cell]) => cell(row))),
  ]
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => line[i]?.length ?? 0)))
  const pad = (text: string, i: number) =>
    i === 0 ? text.padEnd(widths[i] ?? 0) : text.padStart(widths[i] ?? 0)
  const lines = cells.map((line) => line.map(pad).join('  '))
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('  '))
  return lines.join('\n')
}

/** Write the results file that later runs and issues can diff against. */
export async function writeResults(
  file: URL,
  machine: Machine,
  config: BenchConfig,
  rows: readonly ResultRow[],
): Promise<void> {
  await mkdir(new URL('.', file), { recursive: true })
  const settings = {
    duration_s: config.duration,
    warmup_s: config.warmup,
    rounds: config.rounds,
    connections: config.connections,
  }
  await writeFile(file, `${JSON.stringify({ machine, settings, rows }, null, 2)}\n`)
}
