import { floodSummary } from '../scenarios/login-flood.js'
import { timingSummary } from '../scenarios/login-timing.js'
import { tokensSummary } from '../scenarios/tokens-summary.js'
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
  (rows) => {
    const goal = 'during a login flood, protected GETs keep p99 < 50 ms and the server < 300 MB RSS'
    const flood = floodSummary(rows)
    if (!flood) return { goal, result: undefined, met: undefined }
    return {
      goal,
      result: `p99 ${flood.worst_p99_ms} ms, ${flood.max_rss_mb} MB, ${flood.failed_gets} failed GETs`,
      met: flood.within_bounds,
    }
  },
  (rows) => {
    const goal = 'failed logins of unknown users take as long as of known ones (medians within 10%)'
    const timing = timingSummary(rows)
    if (!timing) return { goal, result: undefined, met: undefined }
    return {
      goal,
      result:
        `unknown ${timing.fresh_unknown_over_bcrypt}× (fresh), ${timing.mixed_unknown_over_bcrypt}× ` +
        `(mixed), argon2id user ${timing.mixed_argon2id_over_bcrypt}× a bcrypt user's`,
      met: timing.within_10pct,
    }
  },
  ...tokenChecks(),
]

/** Issue 10's goals, from the `tokens` scenario's summary. */
function tokenChecks(): Check[] {
  type Summary = NonNullable<ReturnType<typeof tokensSummary>>
  type Ratio = { ratio: number; met: boolean } | undefined
  const from =
    (goal: string, pick: (summary: Summary) => Ratio, figures: (summary: Summary) => string) =>
    (rows: readonly ResultRow[]): TargetCheck => {
      const summary = tokensSummary(rows)
      const value = summary && pick(summary)
      if (!summary || !value) return { goal, result: undefined, met: undefined }
      return { goal, result: `${ratio(value.ratio)} (${figures(summary)})`, met: value.met }
    }
  const perSecond = (value: number | undefined) =>
    value === undefined ? '?' : `${Math.round(value).toLocaleString('en-US')}/s`
  return [
    from(
      '`client_credentials` tokens, EdDSA, ≥ 3 × oidc-provider',
      (s) => s.eddsa.tokens_vs_oidc_provider,
      (s) =>
        `${perSecond(s.eddsa.tokens_per_s.gatehouse)} vs ${perSecond(s.eddsa.tokens_per_s.oidc_provider)}; ` +
        `the hand-written floor ${perSecond(s.eddsa.tokens_per_s.raw)}`,
    ),
    from(
      'introspections, EdDSA, ≥ 3 × oidc-provider',
      (s) => s.eddsa.introspections_vs_oidc_provider,
      (s) =>
        `${perSecond(s.eddsa.introspections_per_s.gatehouse)} vs ${perSecond(s.eddsa.introspections_per_s.oidc_provider)}`,
    ),
    from(
      '`client_credentials` tokens, RS256, ≥ 0.8 × the signing limit',
      (s) => s.rs256.tokens_vs_sign_limit,
      (s) =>
        `${perSecond(s.rs256.tokens_per_s.gatehouse)} vs ${perSecond(s.rs256.tokens_per_s.sign_limit)}; ` +
        `the hand-written floor ${perSecond(s.rs256.tokens_per_s.raw)}`,
    ),
    from(
      'password-grant logins (argon2id) ≥ 0.9 × the hasher alone',
      (s) => s.password_logins.vs_hasher,
      (s) =>
        `${perSecond(s.password_logins.gatehouse_per_s)} vs ${perSecond(s.password_logins.hasher_per_s)}`,
    ),
  ]
}

/** Every goal, measured or not, for this run's rows. */
export function checkTargets(rows: readonly ResultRow[]): TargetCheck[] {
  return checks.map((check) => check(rows))
}
