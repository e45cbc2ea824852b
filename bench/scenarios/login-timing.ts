import { LOGIN, login, TUTORIAL_SERVER } from '../lib/fixture.js'
import { withCPU } from '../lib/load.js'
import { median, megabytes, type ResultRow, round } from '../lib/report.js'
import type { Scenario } from '../lib/scenario.js'
import { type ServerProcess, startServer } from '../lib/server-process.js'

/** Unknown users must cost what existing ones do: medians within this fraction of each other. */
export const TIMING_TOLERANCE = 0.1

interface Kind {
  readonly name: string
  /** A username, or a function giving a new one per attempt (an enumeration never repeats). */
  readonly username: string | ((attempt: number) => string)
}

/** `POST /token` with a wrong password; resolves to the milliseconds until the answer is read. */
async function attempt(url: string, username: string): Promise<number> {
  const started = performance.now()
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password: 'wrong-password' }).toString(),
  })
  await response.arrayBuffer()
  if (response.status !== 400)
    throw new Error(`login-timing: ${username} answered ${response.status}`)
  return performance.now() - started
}

/**
 * One login at a time, the kinds taking turns (interleaved, so drift in the machine's load hits
 * all of them alike), `attempts` of each after one unmeasured round; a row per kind, its median
 * compared with the first kind's.
 */
async function timeKinds(
  server: ServerProcess,
  phase: string,
  kinds: readonly Kind[],
  attempts: number,
) {
  const name = (kind: Kind, i: number) =>
    typeof kind.username === 'string' ? kind.username : kind.username(i)
  for (const kind of kinds) await attempt(server.url, name(kind, -1))
  const times = kinds.map(() => [] as number[])
  const run = await withCPU(server, async () => {
    for (let i = 0; i < attempts; i++)
      for (const [k, kind] of kinds.entries())
        times[k]?.push(await attempt(server.url, name(kind, i)))
  })
  const rss = megabytes((await server.stats()).rssBytes)
  const reference = median(times[0] ?? [])
  return kinds.map((kind, k): ResultRow => {
    const mine = [...(times[k] ?? [])].sort((a, b) => a - b)
    const mean = mine.reduce((sum, ms) => sum + ms, 0) / mine.length
    return {
      scenario: 'login-timing',
      target: `${phase}: ${kind.name}`,
      rps: round(1000 / mean, 2),
      p50_ms: round(median(mine), 2),
      p99_ms: round(mine[Math.min(mine.length - 1, Math.floor(mine.length * 0.99))] ?? 0, 2),
      rss_mb: rss,
      ratio_to_raw: null,
      server_cpu_pct: round(run.serverCPUPercent, 0),
      loadgen_cpu_pct: round(run.loadCPUPercent, 0),
      other_cpu_pct: round(run.otherCPUPercent, 0),
      rounds_rps: [round(1000 / mean, 2)],
      method: 'POST',
      path: '/token',
      attempts,
      median_ratio: round(median(mine) / reference, 3),
    }
  })
}

/**
 * Does a login's time tell whether the username exists? The tutorial app (pinned) on a fresh
 * database, where both users hold the tutorial's bcrypt hashes; then, restarted, on the same
 * database after johndoe's first login upgraded his hash to argon2id while alice keeps bcrypt.
 * Each phase times `BENCH_TIMING_ATTEMPTS` (200) wrong-password logins per kind, one at a time.
 */
export const loginTiming: Scenario = {
  name: 'login-timing',
  description: 'POST /token, wrong passwords of existing users vs unknown users, interleaved',
  // About 0.2-0.4 s per bcrypt check on the reference machine: five kinds in two phases.
  plannedSeconds: (config) => config.timingAttempts * 5 * 0.3 + 15,
  async run({ config, pinning, fixture, log }) {
    const env = fixture.env(fixture.database('login-timing'))
    const target = { name: 'gatehouse', server: TUTORIAL_SERVER }
    const unknown: Kind = { name: 'unknown user', username: (i) => `nobody-${i}` }
    const rows: ResultRow[] = []
    const phase = async (
      label: string,
      kinds: readonly Kind[],
      after?: (url: string) => Promise<unknown>,
    ) => {
      const server = await startServer(target, `login-timing-${label}`, { pinning, env })
      try {
        const measured = await timeKinds(server, label, kinds, config.timingAttempts)
        for (const row of measured)
          log(`  ${row.target.padEnd(42)} median ${row.p50_ms} ms (${row.median_ratio}x)`)
        rows.push(...measured)
        await after?.(server.url)
      } finally {
        await server.stop()
      }
    }

    // Then johndoe's first successful login upgrades his hash to argon2id; the server restarts.
    await phase(
      'fresh',
      [{ name: 'bcrypt user, wrong password', username: 'johndoe' }, unknown],
      (url) => login(url, LOGIN),
    )
    await phase('mixed', [
      { name: 'bcrypt user, wrong password', username: 'alice' },
      { name: 'argon2id user, wrong password', username: 'johndoe' },
      unknown,
    ])
    return rows
  },
}

/**
 * The verdict of `login-timing`: the unknown user's median over the bcrypt user's in each phase,
 * and the argon2id user's in the mixed one; every ratio must be within 10% of 1.
 */
export function timingSummary(rows: readonly ResultRow[]) {
  const ratio = (target: string) =>
    rows.find((row) => row.scenario === 'login-timing' && row.target === target)?.median_ratio
  const fresh = ratio('fresh: unknown user')
  const mixed = ratio('mixed: unknown user')
  const upgraded = ratio('mixed: argon2id user, wrong password')
  if (fresh === undefined || mixed === undefined || upgraded === undefined) return undefined
  const within = (value: number) => Math.abs(value - 1) <= TIMING_TOLERANCE
  return {
    fresh_unknown_over_bcrypt: fresh,
    mixed_unknown_over_bcrypt: mixed,
    mixed_argon2id_over_bcrypt: upgraded,
    within_10pct: within(fresh) && within(mixed) && within(upgraded),
  }
}
