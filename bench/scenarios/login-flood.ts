import { LOGIN, login, TUTORIAL_SERVER } from '../lib/fixture.js'
import { runFlood } from '../lib/flood.js'
import { checkLoad, rates, runLoad, waitUntilIdle, withCPU } from '../lib/load.js'
import { megabytes, type ResultRow, round, singleRow } from '../lib/report.js'
import type { RequestSpec, Scenario } from '../lib/scenario.js'
import { type ServerProcess, startServer } from '../lib/server-process.js'

/** A flood phase lasts at least this long, so its p99 rests on enough requests. */
const MIN_FLOOD_SECONDS = 8
/** What the flood sent: a password of a million characters. */
const HUGE_PASSWORD = 1_000_000
/** What protected GETs must keep, and the server's memory must stay under, during a flood. */
export const FLOOD_BOUNDS = { p99_ms: 50, rss_mb: 300 } as const

const phases = [
  {
    name: 'users-me + 1 MB-password flood',
    form: `username=${LOGIN.username}&password=`,
    passwordBytes: HUGE_PASSWORD,
  },
  // alice keeps her bcrypt hash (she is never logged in), so every attempt costs a cost-12 check.
  { name: 'users-me + wrong-password flood', form: 'username=alice&password=', passwordBytes: 16 },
]

/**
 * The server with its `stats()` calls made one at a time: the sampler below asks while the
 * measurement does, and every answer must have been read before the server is stopped.
 */
function serialized(server: ServerProcess): ServerProcess {
  let last: Promise<unknown> = Promise.resolve()
  const stats = () => {
    const next = last.then(() => server.stats())
    last = next.catch(() => {})
    return next
  }
  return { ...server, stats }
}

/** The largest RSS of the server, read every 200 ms until `stop()`. */
function sampleRSS(server: ServerProcess) {
  let max = 0
  let running = true
  const loop = (async () => {
    while (running) {
      max = Math.max(max, (await server.stats()).rssBytes)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  })()
  return async () => {
    running = false
    await loop
    return max
  }
}

/**
 * The tutorial app (pinned) answering `GET /users/me/` with `BENCH_CONNECTIONS` connections while
 * `BENCH_FLOOD_CONNECTIONS` (1,500) clients flood `POST /token`, each sending one login after
 * another on a new connection: first with 1 MB passwords, then with wrong passwords of a bcrypt
 * user. Rows give the GETs' latency, the server's largest RSS during the flood, and how the
 * flood was answered (413, 422, 400, 503 ...).
 */
export const loginFlood: Scenario = {
  name: 'login-flood',
  description: 'GET /users/me/ while 1,500 clients flood POST /token (1 MB, then wrong passwords)',
  plannedSeconds: (config) =>
    config.warmup +
    config.duration +
    phases.length * (Math.max(config.duration, MIN_FLOOD_SECONDS) + 15),
  async run({ config, pinning, fixture, log }) {
    const seconds = Math.max(config.duration, MIN_FLOOD_SECONDS)
    const env = fixture.env(fixture.database('login-flood'))
    const target = { name: 'gatehouse', server: TUTORIAL_SERVER }
    const server = serialized(await startServer(target, 'login-flood-gatehouse', { pinning, env }))
    try {
      const idle = (await server.stats()).rssBytes
      const token = await login(server.url, LOGIN)
      await waitUntilIdle(server)
      const me: RequestSpec = {
        method: 'GET',
        path: '/users/me/',
        headers: { authorization: `Bearer ${token}` },
        expectStatus: 200,
      }
      const meLoad = { connections: config.connections, duration: config.duration }
      const extra = (maxRSS: number) => ({
        method: me.method,
        path: me.path,
        pinned: pinning.active,
        rss_idle_mb: megabytes(idle),
        max_rss_mb: megabytes(maxRSS),
      })
      const result: ResultRow[] = []

      checkLoad(
        target.name,
        me,
        await runLoad(server.url, me, { ...meLoad, duration: config.warmup }),
      )
      const stopQuiet = sampleRSS(server)
      const quiet = await withCPU(server, () => runLoad(server.url, me, meLoad))
      checkLoad(target.name, me, quiet.value)
      const quietRow = singleRow(
        'login-flood',
        'users-me, no flood',
        { ...rates(quiet.value), ...quiet },
        (await server.stats()).rssBytes,
        extra(await stopQuiet()),
      )
      result.push(quietRow)
      log(
        `  ${quietRow.target.padEnd(34)} p99 ${quietRow.p99_ms} ms, max RSS ${quietRow.max_rss_mb} MB`,
      )

      const port = Number(new URL(server.url).port)
      for (const phase of phases) {
        const stop = sampleRSS(server)
        const run = await withCPU(server, () =>
          Promise.all([
            runLoad(server.url, me, { ...meLoad, duration: seconds }),
            runFlood({
              port,
              connections: config.floodConnections,
              seconds,
              path: '/token',
              form: phase.form,
              passwordBytes: phase.passwordBytes,
            }),
          ]),
        )
        const maxRSS = await stop()
        const [meResult, outcome] = run.value
        // A GET that failed under the flood is a finding, not a broken bench: it is counted.
        const failed = meResult.errors + meResult.timeouts + meResult.non2xx
        const row = singleRow(
          'login-flood',
          phase.name,
          { ...rates(meResult), ...run },
          (await server.stats()).rssBytes,
          { ...extra(maxRSS), flood: outcome, failed_requests: failed },
        )
        result.push(row)
        log(
          `  ${phase.name.padEnd(34)} p99 ${row.p99_ms} ms, max RSS ${row.max_rss_mb} MB, ` +
            `${failed} failed GETs; flood answered ${JSON.stringify(outcome)}`,
        )
        await waitUntilIdle(server, 120_000)
      }
      return result
    } finally {
      await server.stop()
    }
  },
}

/** The verdict line and JSON summary of `login-flood`: the worst flood phase against the bounds. */
export function floodSummary(rows: readonly ResultRow[]) {
  const flooded = rows.filter((row) => row.scenario === 'login-flood' && row.flood !== undefined)
  if (flooded.length === 0) return undefined
  const p99 = Math.max(...flooded.map((row) => row.p99_ms))
  const rss = Math.max(...flooded.map((row) => row.max_rss_mb ?? Number.NaN))
  const failed = flooded.reduce((sum, row) => sum + (row.failed_requests ?? 0), 0)
  return {
    worst_p99_ms: p99,
    max_rss_mb: round(rss, 1),
    failed_gets: failed,
    within_bounds: p99 < FLOOD_BOUNDS.p99_ms && rss < FLOOD_BOUNDS.rss_mb && failed === 0,
    bounds: FLOOD_BOUNDS,
  }
}
