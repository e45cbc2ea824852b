import { readFile, writeFile } from 'node:fs/promises'
import type { Machine, ResultRow } from './report.js'
import { checkTargets } from './targets.js'

const START = '<!-- bench:start (written by `npm run bench` from bench/results/latest.json) -->'
const END = '<!-- bench:end -->'

const cell = (value: string | number | undefined | null) =>
  value === undefined || value === null || (typeof value === 'number' && Number.isNaN(value))
    ? ''
    : String(value)

/** Server CPU time per request: what a target costs, however busy the machine was. */
function cpuPerRequest(row: ResultRow): string {
  if (!(row.rps > 0) || !(row.server_cpu_pct > 0)) return ''
  return (((row.server_cpu_pct / 100) * 1e6) / row.rps).toFixed(1)
}

/** The README's results: every row of the run, then each goal of the issues with its outcome. */
export function resultsMarkdown(
  rows: readonly ResultRow[],
  machine: Machine,
  settings: string,
): string {
  const lines = [
    `Run of ${machine.date.slice(0, 10)} on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}; ${settings}.`,
    '',
    '| scenario | target | req/s | CPU µs/req | p99 ms | RSS MB | idle MB | vs baseline |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.scenario} | ${row.target} | ${row.rps.toLocaleString('en-US')} | ${cpuPerRequest(row)} | ${cell(row.p99_ms)} | ${cell(row.rss_mb)} | ${cell(row.rss_idle_mb)} | ${row.ratio_to_raw === null ? '' : `${row.ratio_to_raw.toFixed(2)}×`} |`,
    ),
    '',
    '| goal | result | |',
    '| --- | --- | --- |',
    ...checkTargets(rows).map(
      ({ goal, result, met }) =>
        `| ${goal} | ${result ?? 'not measured in this run'} | ${met === undefined ? '' : met ? 'met' : '**not met**'} |`,
    ),
  ]
  return lines.join('\n')
}

/** Replace what stands between the README's bench markers with this run's results. */
export async function writeReadmeResults(file: URL, markdown: string): Promise<boolean> {
  const text = await readFile(file, 'utf8')
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start < 0 || end < start) return false
  const updated = `${text.slice(0, start + START.length)}\n${markdown}\n${text.slice(end)}`
  await writeFile(file, updated)
  return true
}
