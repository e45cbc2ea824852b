import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { openStore } from 'gatehouse/authorization-server'
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest'
import { PASSWORD_ROLE, PostgresCluster } from './helpers/postgres-cluster.js'
import {
  adminServer,
  basic,
  type Instance,
  postForm,
  startInstance,
} from './helpers/postgres-instances.js'

// The database goes away under load and comes back: a server process answers 503 with
// Retry-After meanwhile (never a 500, never driver text, never a hang past its timeouts) and
// serves again by itself. A private cluster: the shared one must stay up for the other files.
const STATEMENT_TIMEOUT = 2000
const CONNECT_TIMEOUT = 2
/** No answer may take longer: the connect timeout, or a statement plus the driver's margin. */
const LATENCY_BOUND = Math.max(CONNECT_TIMEOUT * 1000, STATEMENT_TIMEOUT + 1000) + 2000

let cluster: PostgresCluster
let instance: Instance
let auth: string
let accessToken: string
/** A second token of the client, revoked again and again: a store read and write each time. */
let revokedToken: string

beforeAll(async () => {
  cluster = await PostgresCluster.create()
  await cluster.query(`CREATE DATABASE faults OWNER ${PASSWORD_ROLE.name}`)
  const url = `postgres://${PASSWORD_ROLE.name}:${encodeURIComponent(PASSWORD_ROLE.password)}@127.0.0.1:${cluster.port}/faults?statement_timeout=${STATEMENT_TIMEOUT}&connect_timeout=${CONNECT_TIMEOUT}`
  const store = await openStore(url)
  const service = await adminServer(store).admin.createClient({
    id: 'service',
    grantTypes: ['client_credentials'],
    scopes: ['read'],
  })
  await store.close()
  auth = basic('service', service.clientSecret as string)
  instance = await startInstance(url)
  const issue = async () => {
    const issued = await postForm(
      `${instance.url}/token`,
      { grant_type: 'client_credentials' },
      { authorization: auth },
    )
    return ((await issued.json()) as { access_token: string }).access_token
  }
  accessToken = await issue()
  revokedToken = await issue()
}, 90_000)

afterAll(async () => {
  await instance?.stop()
  await cluster?.destroy()
})

interface Outcome {
  /** A revocation (an OAuth endpoint) rather than an API call. */
  revocation: boolean
  sentAt: number
  doneAt: number
  status: number
  retryAfter: string | null
  body: string
}

/**
 * Steady load until `signal` aborts: `loops` clients, each sending a request every 40 ms or so,
 * alternating a revocation (reads and writes the revoked tokens) and an API call (reads them).
 * Both need the database every time: client lookups and token issuance can be answered from
 * memory for a while (the client cache), so they would not show an outage.
 */
async function load(signal: AbortSignal, loops = 4): Promise<Outcome[]> {
  const outcomes: Outcome[] = []
  const one = async (i: number) => {
    const sentAt = performance.now()
    const response =
      i % 2 === 0
        ? await postForm(`${instance.url}/revoke`, { token: revokedToken }, { authorization: auth })
        : await fetch(`${instance.url}/api/read`, {
            headers: { authorization: `Bearer ${accessToken}` },
          })
    const body = await response.text()
    outcomes.push({
      revocation: i % 2 === 0,
      sentAt,
      doneAt: performance.now(),
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body,
    })
  }
  await Promise.all(
    Array.from({ length: loops }, async (_, loop) => {
      for (let i = loop; !signal.aborted; i++) {
        await one(i)
        await sleep(40)
      }
    }),
  )
  return outcomes
}

/**
 * Every answer was a 200 or a 503 with Retry-After, within the bound: the API's with a plain body,
 * the revocation endpoint's an OAuth error like its others (RFC 6749 §5.2's shape).
 */
function expectOnlyOKOrUnavailable(outcomes: Outcome[]) {
  expect(new Set(outcomes.map((o) => o.status))).toEqual(new Set([200, 503]))
  for (const outcome of outcomes.filter((o) => o.status === 503)) {
    expect(Number(outcome.retryAfter)).toBeGreaterThanOrEqual(1)
    expect(JSON.parse(outcome.body)).toEqual(
      outcome.revocation
        ? {
            error: 'temporarily_unavailable',
            error_description: `The server cannot answer now; retry in ${outcome.retryAfter} second${outcome.retryAfter === '1' ? '' : 's'}`,
          }
        : { detail: 'The database is busy' },
    )
  }
  const slowest = Math.max(...outcomes.map((o) => o.doneAt - o.sentAt))
  expect(slowest).toBeLessThan(LATENCY_BOUND)
}

/** The cluster's server processes (the postmaster and its children). */
function serverProcesses(): number[] {
  const postmaster = Number(
    readFileSync(join(cluster.state.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0],
  )
  return [postmaster, ...childrenOf(postmaster)]
}

/** Linux: the processes whose parent is `parent`, from /proc. */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === parent
      } catch {
        return false
      }
    })
    .map(Number)
}

describe('PostgreSQL going away under load', { timeout: 120_000 }, () => {
  test.each(['fast', 'immediate'] as const)(
    'stopped (%s) and started again: 200s, then only 503s with Retry-After, then 200s again by itself',
    async (mode) => {
      const controller = new AbortController()
      const running = load(controller.signal)
      await sleep(1000)
      const stopAt = performance.now()
      await cluster.stop(mode)
      const stoppedAt = performance.now()
      await sleep(1500)
      const restartAt = performance.now()
      await cluster.start()
      const restartedAt = performance.now()
      await sleep(1500)
      controller.abort()
      const outcomes = await running

      expectOnlyOKOrUnavailable(outcomes)
      const before = outcomes.filter((o) => o.doneAt < stopAt)
      const down = outcomes.filter((o) => o.sentAt > stoppedAt && o.doneAt < restartAt)
      const after = outcomes.filter((o) => o.sentAt > restartedAt)
      expect(before.length).toBeGreaterThan(10)
      expect(down.length).toBeGreaterThan(10)
      expect(after.length).toBeGreaterThan(10)
      expect(before.every((o) => o.status === 200)).toBe(true)
      expect(down.every((o) => o.status === 503)).toBe(true)
      // Back by itself: nothing but 200s once the server accepts connections again.
      expect(after.map((o) => o.status)).toEqual(after.map(() => 200))
      // 503s only while the database was down (or going down).
      expect(
        outcomes
          .filter((o) => o.status === 503)
          .every((o) => o.doneAt > stopAt && o.sentAt < restartedAt),
      ).toBe(true)
      expect(outcomes.length).toBeLessThan(1000)
    },
  )

  test('a server that stops answering (SIGSTOP) costs each request at most the timeouts, then service resumes', async () => {
    const controller = new AbortController()
    const running = load(controller.signal)
    await sleep(800)
    const frozen = serverProcesses()
    const frozeAt = performance.now()
    for (const pid of frozen) process.kill(pid, 'SIGSTOP')
    try {
      await sleep(LATENCY_BOUND + 1500)
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT')
    }
    const thawedAt = performance.now()
    await sleep(2500)
    controller.abort()
    const outcomes = await running

    expectOnlyOKOrUnavailable(outcomes)
    const stuck = outcomes.filter((o) => o.sentAt > frozeAt && o.doneAt < thawedAt)
    // Each client's first request after the freeze at least (one in flight then may straddle).
    expect(stuck.length).toBeGreaterThanOrEqual(2)
    expect(stuck.every((o) => o.status === 503)).toBe(true)
    const late = outcomes.filter((o) => o.sentAt > thawedAt + 1000)
    expect(late.length).toBeGreaterThan(10)
    expect(late.every((o) => o.status === 200)).toBe(true)
  })

  test('a database that turns read-only (a hot standby, a demoted primary): 503s, then 200s once it writes again', async () => {
    const reconnect = () =>
      cluster.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'faults' AND pid <> pg_backend_pid()",
      )
    const revoke = async () => {
      const response = await postForm(
        `${instance.url}/revoke`,
        { token: revokedToken },
        { authorization: auth },
      )
      return { status: response.status, retryAfter: response.headers.get('retry-after') }
    }
    await cluster.query('ALTER DATABASE faults SET default_transaction_read_only = on')
    try {
      await reconnect()
      // The first answer may be the broken connection's; after it, the read-only server's own.
      await revoke()
      for (let i = 0; i < 3; i++)
        expect(await revoke()).toEqual({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) })
    } finally {
      await cluster.query('ALTER DATABASE faults RESET default_transaction_read_only')
    }
    // The connections that met the read-only server were dropped: new ones write again.
    await vi.waitFor(async () => expect((await revoke()).status).toBe(200), { timeout: 10_000 })
  })

  test('the server process lived through it all and logged neither the password nor a fault', () => {
    expect(instance.child.exitCode).toBeNull()
    expect(instance.output()).not.toContain(PASSWORD_ROLE.password)
    expect(instance.output()).not.toContain(encodeURIComponent(PASSWORD_ROLE.password))
    expect(instance.errors()).not.toMatch(/error|fault|exception/i)
  })
})
