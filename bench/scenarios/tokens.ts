import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { BenchConfig } from '../lib/config.js'
import { type Measurement, measure, withCPU } from '../lib/load.js'
import { megabytes, type ResultRow, round, summarise } from '../lib/report.js'
import type { RunContext, Scenario } from '../lib/scenario.js'
import { type ServerProcess, startServer, withServer } from '../lib/server-process.js'
import { ALGORITHMS, type Algorithm } from '../servers/tokens/common.js'
import {
  checkIntrospection,
  checkLogin,
  checkToken,
  introspectionRequest,
  loginRequest,
  opaqueToken,
  provision,
  tokenRequest,
} from './tokens-setup.js'

/** Concurrent password-grant logins (and verifications in flight when the hasher runs alone). */
export const LOGIN_CONNECTIONS = 8
const SIGN_LIMIT = 'node:crypto sign'
const HASHER = 'argon2id verify'

/**
 * `client_credentials` tokens/s and introspections/s of Gatehouse's authorization server (on
 * its SQLite store) against oidc-provider configured the same way, for EdDSA and RS256 keys,
 * each server alone on the server core, in turns within each round; beside them the ceiling
 * of the same core in the same run: a bare node:crypto signing loop. Then password-grant logins/s
 * against the Argon2id hasher verifying alone.
 */
export const tokens: Scenario = {
  name: 'tokens',
  description:
    'POST /token (client_credentials) and introspection: Gatehouse vs oidc-provider, EdDSA and RS256; password logins vs argon2id',
  plannedSeconds: ({ rounds, duration, warmup }) =>
    rounds * (ALGORITHMS.length * (5 * (duration + warmup) + duration) + 2 * duration + warmup) +
    15,
  async run(context) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gatehouse-bench-tokens-'))
    try {
      const rows: ResultRow[] = []
      for (const alg of ALGORITHMS) rows.push(...(await compare(context, dir, alg)))
      return rows
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  },
}

const SERVERS = ['oidc-provider', 'gatehouse', 'raw'] as const
type ServerName = (typeof SERVERS)[number]

/** Where each server's endpoints are; the hand-written floor does not introspect. */
const ENDPOINTS: Readonly<Record<ServerName, { jwks: string; introspect?: string }>> = {
  'oidc-provider': { jwks: '/jwks', introspect: '/token/introspection' },
  gatehouse: { jwks: '/.well-known/jwks.json', introspect: '/introspect' },
  raw: { jwks: '/jwks' },
}

async function compare(
  { config, pinning, log }: RunContext,
  dir: string,
  alg: Algorithm,
): Promise<ResultRow[]> {
  const provisioned = await provision(dir, alg)
  const env = {
    TOKENS_ALG: alg,
    TOKENS_DATABASE: provisioned.database,
    TOKENS_CLIENT_SECRET: provisioned.clientSecret,
  }
  const label = alg.toLowerCase()
  const start = (name: ServerName) =>
    startServer({ name, server: `servers/tokens/${name}.ts` }, `tokens-${label}-${name}`, {
      pinning,
      env,
    })
  const startLimits = () =>
    startServer({ name: 'limits', server: 'servers/tokens/limits.ts' }, 'tokens-limits', {
      pinning,
    })
  const token = tokenRequest(provisioned.clientSecret)
  const login = loginRequest(provisioned.loginSecret)
  const logins = alg === 'EdDSA'

  const samples = {
    tokens: new Map<string, Measurement[]>([
      ['oidc-provider', []],
      ['gatehouse', []],
      ['raw', []],
      [SIGN_LIMIT, []],
    ]),
    introspect: new Map<string, Measurement[]>([
      ['oidc-provider', []],
      ['gatehouse', []],
    ]),
    logins: new Map<string, Measurement[]>([
      [HASHER, []],
      ['gatehouse', []],
    ]),
  }
  const idle = new Map<string, number>()
  const rss = new Map<string, number>()
  const note = (round: number, what: string, name: string, rate: number) =>
    log(
      `  round ${round}/${config.rounds}  ${what.padEnd(16)} ${name.padEnd(16)}` +
        `${Math.round(rate).toLocaleString('en-US').padStart(8)}/s`,
    )

  for (let round = 1; round <= config.rounds; round++) {
    for (const name of SERVERS) {
      await withServer(start(name), async (server) => {
        if (!idle.has(name)) idle.set(name, (await server.stats()).rssBytes)
        const { jwks, introspect } = ENDPOINTS[name]
        // Checked on every start: the servers keep what they issue in memory (oidc-provider's
        // opaque tokens) or make a key when they start (the floor).
        const issued = await checkToken(server, token, alg, jwks)
        const tokens = await measure(server, token, config)
        samples.tokens.get(name)?.push(tokens)
        note(round, `tokens-${label}`, name, tokens.rps)
        if (introspect !== undefined) {
          // oidc-provider refuses to introspect JWTs: it introspects its opaque tokens instead.
          const introspected =
            name === 'oidc-provider' ? await opaqueToken(server, provisioned.clientSecret) : issued
          const request = introspectionRequest(introspect, introspected, provisioned.clientSecret)
          await checkIntrospection(server, request)
          const result = await measure(server, request, config)
          samples.introspect.get(name)?.push(result)
          note(round, `introspect-${label}`, name, result.rps)
        }
        if (logins && name === 'gatehouse') {
          await checkLogin(server, login)
          const loginConfig: BenchConfig = { ...config, connections: LOGIN_CONNECTIONS }
          const loggedIn = await measure(server, login, loginConfig)
          samples.logins.get('gatehouse')?.push(loggedIn)
          note(round, 'password-login', 'gatehouse', loggedIn.rps)
        }
        rss.set(name, (await server.stats()).rssBytes)
      })
    }
    await withServer(startLimits(), async (limits) => {
      const signing = await limit(limits, `/sign?alg=${alg}&ms=${config.duration * 1000}`)
      samples.tokens.get(SIGN_LIMIT)?.push(signing)
      note(round, `tokens-${label}`, SIGN_LIMIT, signing.rps)
      if (logins) {
        const hashing = await limit(
          limits,
          `/passwords?concurrency=${LOGIN_CONNECTIONS}&ms=${config.duration * 1000}`,
        )
        samples.logins.get(HASHER)?.push(hashing)
        note(round, 'password-login', HASHER, hashing.rps)
      }
      rss.set('limits', (await limits.stats()).rssBytes)
    })
  }

  const extra = (paths: Record<string, string>) => (name: string) => ({
    rss_mb: megabytes(
      rss.get(name === SIGN_LIMIT || name === HASHER ? 'limits' : name) ?? Number.NaN,
    ),
    ...(idle.has(name) ? { rss_idle_mb: megabytes(idle.get(name) as number) } : {}),
    method: paths[name]?.startsWith('GET') ? 'GET' : 'POST',
    path: (paths[name] ?? '').replace(/^GET /, ''),
    pinned: pinning.active,
  })
  const tokenRows = summarise(
    `tokens-${label}`,
    'oidc-provider',
    samples.tokens,
    extra({
      'oidc-provider': '/token',
      gatehouse: '/token',
      raw: '/token',
      [SIGN_LIMIT]: `GET /sign?alg=${alg}`,
    }),
  )
  const signRate = tokenRows.find((row) => row.target === SIGN_LIMIT)?.rps
  for (const row of tokenRows) {
    if (row.target === SIGN_LIMIT) row.ratio_to_raw = null
    else if (signRate) row.ratio_to_limit = round(row.rps / signRate, 3)
  }
  const introspectRows = summarise(
    `introspect-${label}`,
    'oidc-provider',
    samples.introspect,
    extra({ 'oidc-provider': '/token/introspection', gatehouse: '/introspect' }),
  )
  const loginRows = logins
    ? summarise(
        'password-login',
        HASHER,
        samples.logins,
        extra({ gatehouse: '/token', [HASHER]: 'GET /passwords' }),
      )
    : []
  return [...tokenRows, ...introspectRows, ...loginRows]
}

/** A ceiling measured inside the limits server: operations per second, and who used the CPU. */
async function limit(server: ServerProcess, query: string): Promise<Measurement> {
  const run = await withCPU(server, async () => {
    const response = await fetch(`${server.url}${query}`)
    if (response.status !== 200)
      throw new Error(`tokens: limits ${query} answered ${response.status}`)
    return ((await response.json()) as { per_s: number }).per_s
  })
  // A loop has no request latency; 0 says so in the latency columns.
  return { rps: run.value, p50Ms: 0, p99Ms: 0, ...run }
}
