import type { ResultRow } from './report.js'

/** One goal of an issue, checked against the rows of one run. */
export interface TargetCheck {
  readonly goal: string
  /** What was measured, in words and figures; `undefined` when the run has no rows for it. */
  readonly result: string | undefined
  readonly met: boolean | undefined
}

type Check = (rows: readonly ResultRow[]) => TargetCheck

const find = (rows: readonly ResultRow[], scenario: string, target: string) =>
  rows.find((row) => row.scenario === scenario && row.target === target)

const ratio = (value: number) => `${value.toFixed(2)}×`

/** `a`'s req/s over `b`'s, both of one scenario. */
function compare(goal: string, scenario: string, a: string, b: string, atLeast: number): Check {
  return (rows) => {
    const first = find(rows, scenario, a)
    const second = find(rows, scenario, b)
    if (!first || !second) return { goal, result: undefined, met: undefined }
    const value = first.rps / second.rps
    return {
      goal,
      result: `${ratio(value)} (${first.rps.toLocaleString('en-US')} vs ${second.rps.toLocaleString('en-US')} req/s)`,
      met: value >= atLeast,
    }
  }
}

/**
 * The performance goals the issues set, in the order the README lists them. A scenario not run
 * leaves its goal unmeasured rather than failed.
 */
export const checks: readonly Check[] = [
  compare(
    '`/users/me/`, token cache off, ≥ 0.85 × raw `node:http`',
    'users-me',
    'gatehouse-nocache',
    'raw',
    0.85,
  ),
  compare(
    '`/users/me/`, token cache off, ≥ 1.15 × Fastify + `@fastify/jwt`',
    'users-me',
    'gatehouse-nocache',
    'fastify',
    1.15,
  ),
  compare(
    '`/users/me/` as shipped (cache on) vs raw `node:http`',
    'users-me',
    'gatehouse',
    'raw',
    0.85,
  ),
  (rows) => {
    const goal = '`npm start` server idles under 80 MB RSS'
    const started = find(rows, 'memory', 'npm-start-server')
    const loaded = find(rows, 'memory', 'gatehouse')
    const wrapper = find(rows, 'memory', 'npm-start-wrapper')
    if (!started?.rss_idle_mb) return { goal, result: undefined, met: undefined }
    const after = loaded
      ? `, ${loaded.rss_mb} MB after ${loaded.requests?.toLocaleString('en-US')} requests`
      : ''
    const npm = wrapper ? `; npm's own processes ${wrapper.rss_idle_mb} MB beside it` : ''
    return {
      goal,
      result: `${started.rss_idle_mb} MB idle${after}${npm}`,
      met: started.rss_idle_mb < 80,
    }
  },
  ...['rs256', 'es256', 'eddsa'].map((alg) =>
    compare(
      `verify ${alg.toUpperCase()} (cache off) ≥ 0.95 × jose by hand`,
      `verify-${alg}`,
      'gatehouse',
      'jose',
      0.95,
    ),
  ),
]

/** Every goal, measured or not, for this run's rows. */
export function checkTargets(rows: readonly ResultRow[]): TargetCheck[] {
  return checks.map((check) => check(rows))
}
