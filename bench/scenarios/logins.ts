import { LOGIN, login, TUTORIAL_SERVER } from '../lib/fixture.js'
import { checkLoad, type LoadOptions, rates, runLoad, waitUntilIdle, withCPU } from '../lib/load.js'
import { megabytes, type ResultRow, round, singleRow } from '../lib/report.js'
import type { RequestSpec, Scenario } from '../lib/scenario.js'
import { startServer } from '../lib/server-process.js'

/** Concurrent login connections; `/users/me/` keeps `BENCH_CONNECTIONS` (50). */
const LOGIN_CONNECTIONS = 8
/** More bcrypt logins per second than two bcryptjs workers can do, to size the user table. */
const BCRYPT_CEILING_PER_S = 20
/** Login phases last at least this long: a bcrypt login takes seconds once 8 of them queue. */
const MIN_LOGIN_SECONDS = 10

const form = (username: string) => new URLSearchParams({ ...LOGIN, username }).toString()

const loginRequest: RequestSpec = {
  method: 'POST',
  path: '/token',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: form(LOGIN.username),
  expectStatus: 200,
}

/**
 * `POST /token` on the tutorial app (pinned, like the other servers): logins per second for users
 * with a bcrypt hash (each login a first one: bcrypt check in a worker, argon2id rehash, SQLite
 * update) and with an argon2id hash, alone and while `GET /users/me/` runs alongside, to see
 * whether hashing stalls other requests. Phases run one after another on one server; each waits
 * for the server to finish the logins still queued from the one before.
 */
export const logins: Scenario = {
  name: 'logins',
  description: 'POST /token logins/s (bcrypt, argon2id) and GET /users/me/ while logins run',
  plannedSeconds: (config) =>
    config.warmup + config.duration + 4 * Math.max(config.duration, MIN_LOGIN_SECONDS) + 10,
  async run({ config, pinning, fixture, rows, log }) {
    const seconds = Math.max(config.duration, MIN_LOGIN_SECONDS)
    const bcryptUsers = Math.ceil(2 * seconds * BCRYPT_CEILING_PER_S) + 50
    const env = fixture.env(fixture.database('logins', bcryptUsers))
    const target = { name: 'gatehouse', server: TUTORIAL_SERVER }
    const server = await startServer(target, 'logins-gatehouse', { pinning, env })
    try {
      const idle = (await server.stats()).rssBytes
      // The first login of johndoe upgrades the hash to argon2id; the first bcrypt login starts
      // the bcrypt workers. Neither is measured.
      const token = await login(server.url, LOGIN)
      let nextUser = 0
      await login(server.url, { ...LOGIN, username: `bcrypt-user-${nextUser++}` })
      const bcryptBody = () => form(`bcrypt-user-${nextUser++ % bcryptUsers}`)
      await waitUntilIdle(server)

      const me: RequestSpec = {
        method: 'GET',
        path: '/users/me/',
        headers: { authorization: `Bearer ${token}` },
        expectStatus: 200,
      }
      const meLoad = { connections: config.connections, duration: config.duration }
      const loginLoad = { connections: LOGIN_CONNECTIONS, duration: seconds }
      const bcryptLoad = { ...loginLoad, body: bcryptBody }
      const raw = rows.find((row) => row.scenario === 'users-me' && row.target === 'raw')
      const result: ResultRow[] = []
      let quiet: ResultRow | undefined
      const add = async (
        name: string,
        run: Parameters<typeof singleRow>[2],
        request: RequestSpec,
        concurrentLogins?: number,
      ) => {
        const row = singleRow('logins', name, run, (await server.stats()).rssBytes, {
          method: request.method,
          path: request.path,
          pinned: pinning.active,
          rss_idle_mb: megabytes(idle),
        })
        if (request === me && raw) row.ratio_to_raw = round(row.rps / raw.rps, 3)
        if (concurrentLogins !== undefined && quiet) {
          row.concurrent_logins_per_s = round(concurrentLogins, 2)
          row.ratio_to_quiet = round(row.rps / quiet.rps, 3)
        }
        result.push(row)
        const meanwhile =
          concurrentLogins === undefined ? '' : `, ${row.concurrent_logins_per_s} logins/s`
        log(
          `  ${name.padEnd(28)}${row.rps.toLocaleString('en-US').padStart(8)}/s, ` +
            `p99 ${row.p99_ms} ms${meanwhile}`,
        )
        return row
      }

      const alone = async (request: RequestSpec, options: LoadOptions) => {
        const run = await withCPU(server, () => runLoad(server.url, request, options))
        checkLoad(target.name, request, run.value)
        return { ...rates(run.value), ...run }
      }
      const alongside = async (name: string, options: LoadOptions) => {
        const run = await withCPU(server, () =>
          Promise.all([
            runLoad(server.url, me, { ...meLoad, duration: seconds }),
            runLoad(server.url, loginRequest, options),
          ]),
        )
        const [meResult, loginResult] = run.value
        checkLoad(target.name, me, meResult)
        checkLoad(target.name, loginRequest, loginResult)
        await add(name, { ...rates(meResult), ...run }, me, rates(loginResult).rps)
        await waitUntilIdle(server)
      }

      const warmup = await runLoad(server.url, me, { ...meLoad, duration: config.warmup })
      checkLoad(target.name, me, warmup)
      quiet = await add('users-me, no logins', await alone(me, meLoad), me)

      await add('login argon2id', await alone(loginRequest, loginLoad), loginRequest)
      await waitUntilIdle(server)
      await alongside('users-me + argon2id logins', loginLoad)

      await add('login bcrypt', await alone(loginRequest, bcryptLoad), loginRequest)
      await waitUntilIdle(server)
      await alongside('users-me + bcrypt logins', bcryptLoad)
      if (nextUser > bcryptUsers)
        throw new Error(`logins: ${nextUser} bcrypt logins, but only ${bcryptUsers} users seeded`)
      return result
    } finally {
      await server.stop()
    }
  },
}

/** The logins/s line and JSON summary, from the rows `logins` produced. */
export function loginSummary(rows: readonly ResultRow[]) {
  const rate = (target: string) =>
    rows.find((row) => row.scenario === 'logins' && row.target === target)?.rps
  const bcrypt = rate('login bcrypt')
  const argon2id = rate('login argon2id')
  if (bcrypt === undefined || argon2id === undefined) return undefined
  return {
    bcrypt_per_s: bcrypt,
    argon2id_per_s: argon2id,
    argon2id_over_bcrypt: round(argon2id / bcrypt, 2),
    connections: LOGIN_CONNECTIONS,
  }
}
