import { TUTORIAL_SERVER } from '../lib/fixture.js'
import { checkLoad, rates, runLoad, withCPU } from '../lib/load.js'
import { measureNpmStart } from '../lib/npm-start.js'
import { megabytes, round, singleRow } from '../lib/report.js'
import type { RequestSpec, Scenario } from '../lib/scenario.js'
import { startServer } from '../lib/server-process.js'

/**
 * Resident memory of the tutorial app: a fresh server's RSS once it listens (before any request),
 * then after exactly `BENCH_MEMORY_REQUESTS` (100k) `GET /users/me/` requests.
 */
export const memory: Scenario = {
  name: 'memory',
  description: 'RSS of the tutorial app idle, and after BENCH_MEMORY_REQUESTS GET /users/me/',
  // A guess for the estimate: the run is a number of requests, not seconds.
  plannedSeconds: (config) => config.memoryRequests / 8_000,
  async run({ config, pinning, fixture, rows, log }) {
    // The token comes first, from another server, so this one has served nothing when it is read.
    const token = await fixture.token()
    const env = fixture.env(fixture.database('scopes'))
    const target = { name: 'gatehouse', server: TUTORIAL_SERVER }
    const server = await startServer(target, 'memory-gatehouse', { pinning, env })
    try {
      const idle = (await server.stats()).rssBytes
      const request: RequestSpec = {
        method: 'GET',
        path: '/users/me/',
        headers: { authorization: `Bearer ${token}` },
        expectStatus: 200,
      }
      const amount = config.memoryRequests
      const run = await withCPU(server, () =>
        runLoad(server.url, request, { connections: config.connections, amount }),
      )
      checkLoad(target.name, request, run.value)
      if (run.value.requests.total !== amount)
        throw new Error(`memory: ${run.value.requests.total} answers, expected ${amount}`)
      const after = (await server.stats()).rssBytes
      log(
        `  gatehouse  idle ${megabytes(idle)} MB, after ${amount} requests ${megabytes(after)} MB`,
      )
      const raw = rows.find((row) => row.scenario === 'users-me' && row.target === 'raw')
      const row = singleRow('memory', 'gatehouse', { ...rates(run.value), ...run }, after, {
        method: request.method,
        path: request.path,
        pinned: pinning.active,
        rss_idle_mb: megabytes(idle),
        requests: amount,
      })
      row.ratio_to_raw = raw ? round(row.rps / raw.rps, 3) : null
      // `npm start` as the README runs it: the server process, and npm's own processes beside it.
      const started = await measureNpmStart(env)
      log(
        `  npm start  server ${megabytes(started.serverBytes)} MB idle, npm around it ${megabytes(started.wrapperBytes)} MB`,
      )
      const npmRow = (target: string, bytes: number) => ({
        ...singleRow('memory', target, { ...rates(run.value), ...run }, bytes, {
          rss_idle_mb: megabytes(bytes),
        }),
        rps: 0,
        p50_ms: 0,
        p99_ms: 0,
        rounds_rps: [],
      })
      return [
        row,
        npmRow('npm-start-server', started.serverBytes),
        npmRow('npm-start-wrapper', started.wrapperBytes),
      ]
    } finally {
      await server.stop()
    }
  },
}
