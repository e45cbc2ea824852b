import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import bcrypt from 'bcryptjs'
import { ServiceUnavailableError } from 'gatehouse'
import { afterAll, describe, expect, it } from 'vitest'
import { createHashPool } from '../src/password/hash-pool.js'
import { createPasswordHasher } from '../src/password/index.js'

const JOHNDOE = '$2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW'
const ALICE = '$2b$12$gSvqqUPvlXP2tfVFaWK1Be7DlH.PKZbv5H8KnzzVgXXbVxpva.pFm'
const CHEAP = bcrypt.hashSync('hunter2', 4)

// Like the real worker, but dies when asked to compare the password "crash".
const CRASHING = `
const { parentPort, workerData } = require('node:worker_threads')
const bcrypt = require(workerData.bcryptPath)
parentPort.on('message', ({ password, hash }) => {
  if (password === 'crash') process.exit(3)
  parentPort.postMessage({ valid: bcrypt.compareSync(password, hash), ms: 0 })
})
`

describe('bcrypt worker pool', () => {
  const pools: { destroy(): Promise<void> }[] = []
  afterAll(() => Promise.all(pools.map((pool) => pool.destroy())))

  it('keeps the event loop free while cost-12 hashes are verified', async () => {
    const passwords = createPasswordHasher()
    await passwords.verify('warm-up', CHEAP) // starts a worker outside the measurement
    // Event-loop utilisation: the share of the time the loop spent running code rather than waiting.
    // A compare on the main thread keeps it near 1 for its whole length; off it, the loop only
    // waits. Unlike a wall-clock bound, this holds however busy the machine is.
    const onMain = performance.eventLoopUtilization()
    bcrypt.compareSync('secret', JOHNDOE)
    const blocked = performance.eventLoopUtilization(onMain)
    const before = performance.eventLoopUtilization()
    const results = await Promise.all([
      passwords.verify('secret', JOHNDOE),
      passwords.verify('secretalice', ALICE),
      passwords.verify('wrong', JOHNDOE),
      passwords.verify('wrong', ALICE),
    ])
    const during = performance.eventLoopUtilization(before)
    expect(results).toEqual([true, true, false, false])
    // The four compares took real time (about two compares' worth, on two workers)...
    expect(during.active + during.idle).toBeGreaterThan((blocked.active + blocked.idle) / 2)
    // ...while the loop was busy for a small part of it, where the main-thread compare filled it.
    expect(blocked.utilization).toBeGreaterThan(0.9)
    expect(during.utilization).toBeLessThan(0.25)
  })

  it('queues calls when every worker is busy', async () => {
    const pool = createHashPool(1)
    pools.push(pool)
    const passwords = ['hunter2', 'hunter3', 'hunter2', '', 'hunter2']
    const results = await Promise.all(passwords.map((password) => pool.compare(password, CHEAP)))
    expect(results).toEqual([true, false, true, false, true])
  })

  it('refuses calls beyond a full queue with 503 and Retry-After, and serves the queued ones', async () => {
    const pool = createHashPool(1, { maxQueue: 2 })
    pools.push(pool)
    // One call in the worker, two waiting, the fourth refused at once.
    const calls = [JOHNDOE, JOHNDOE, ALICE, ALICE].map((hash) => pool.compare('secret', hash))
    const settled = Promise.allSettled(calls)
    expect(pool.queued).toBe(2)
    const [first, second, third, fourth] = await settled
    expect([first, second, third]).toEqual([
      { status: 'fulfilled', value: true },
      { status: 'fulfilled', value: true },
      { status: 'fulfilled', value: false },
    ])
    expect(fourth?.status).toBe('rejected')
    const refused = (fourth as PromiseRejectedResult).reason
    expect(refused).toBeInstanceOf(ServiceUnavailableError)
    expect(refused.status).toBe(503)
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1)
    // Once the queue has room again, calls are taken.
    expect(pool.queued).toBe(0)
    expect(await pool.compare('hunter2', CHEAP)).toBe(true)
  })

  it('throws a TypeError naming a bad maxQueue', () => {
    for (const maxQueue of [-1, 1.5, Number.NaN])
      expect(() => createHashPool(1, { maxQueue })).toThrow('"maxQueue"')
  })

  it('makes decoy hashes of random passwords, timed in the worker', async () => {
    const pool = createHashPool(1)
    pools.push(pool)
    const bcryptDecoy = await pool.decoy({ cost: 5 })
    expect(bcryptDecoy.hash).toMatch(/^\$2b\$05\$[./A-Za-z0-9]{53}$/)
    expect(bcryptDecoy.ms).toBeGreaterThan(0)
    const argon2Decoy = await pool.decoy({
      options: { algorithm: 2, memoryCost: 8192, timeCost: 3, parallelism: 1 },
    })
    expect(argon2Decoy.hash).toMatch(/^\$argon2id\$v=19\$m=8192,t=3,p=1\$/)
    for (const password of ['', 'secret', 'undefined'])
      expect(await pool.argon2Verify(argon2Decoy.hash, password)).toBe(false)
    expect((await pool.decoy({ cost: 5 })).hash).not.toBe(bcryptDecoy.hash)
  })

  it('rejects the call of a worker that dies, and replaces the worker', async () => {
    const pool = createHashPool(1, { source: CRASHING })
    pools.push(pool)
    const calls = [
      pool.compare('hunter2', CHEAP),
      pool.compare('crash', CHEAP),
      pool.compare('hunter2', CHEAP),
    ]
    const [before, crashed, after] = await Promise.allSettled(calls)
    expect(before).toEqual({ status: 'fulfilled', value: true })
    expect(crashed).toMatchObject({
      status: 'rejected',
      reason: { message: expect.stringContaining('code 3') },
    })
    expect(after).toEqual({ status: 'fulfilled', value: true })
    expect(await pool.compare('hunter3', CHEAP)).toBe(false)
  })

  it('rejects pending and later calls once destroyed', async () => {
    const pool = createHashPool(1)
    const pending = Promise.allSettled([
      pool.compare('secret', JOHNDOE),
      pool.compare('secret', JOHNDOE),
    ])
    await pool.destroy()
    for (const result of await pending) expect(result.status).toBe('rejected')
    await expect(pool.compare('hunter2', CHEAP)).rejects.toThrow('destroyed')
  })

  it('never keeps the process alive, yet finishes what it was asked', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'gatehouse-bcrypt-'))
    const script = join(directory, 'main.mts')
    const source = fileURLToPath(new URL('../src/password/index.ts', import.meta.url))
    // The second call goes to an idle, started worker: only a ref while busy keeps the process up.
    writeFileSync(
      script,
      `import { createPasswordHasher } from ${JSON.stringify(source)}
const passwords = createPasswordHasher()
const hash = ${JSON.stringify(JOHNDOE)}
passwords.verify('secret', hash).then((first) =>
  setTimeout(() => passwords.verify('wrong', hash).then((second) => console.log(first, second)), 100),
)
`,
    )
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', script],
          { cwd: fileURLToPath(new URL('..', import.meta.url)), timeout: 15_000 },
          (error, out) => (error ? reject(error) : resolve(out)),
        )
      })
      expect(stdout.trim()).toBe('true false')
    } finally {
      rmSync(directory, { recursive: true, force: true })
    }
  })
})

describe('argon2 in the pool, at a lower priority than the event loop', () => {
  it('hashes and verifies Argon2id in the workers, and the workers run niced', async () => {
    const pool = createHashPool(1)
    try {
      const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 }
      const hash = await pool.argon2Hash('correct horse', options)
      expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
      expect(await pool.argon2Verify(hash, 'correct horse')).toBe(true)
      expect(await pool.argon2Verify(hash, 'wrong')).toBe(false)
      expect(await pool.argon2Verify('$argon2id$garbage', 'x')).toBe(false)

      // Linux keeps a niceness per thread: the worker's is raised, the main thread's untouched.
      const niceness = (tid: string) =>
        Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16])
      const threads = readdirSync('/proc/self/task')
      expect(niceness(String(process.pid))).toBe(0)
      expect(threads.map(niceness)).toContain(5)
    } finally {
      await pool.destroy()
    }
  })
})

describe('idle workers', () => {
  it('are stopped after idleTimeout, and started again for the next call', async () => {
    const pool = createHashPool(1, { idleTimeout: 50 })
    try {
      expect(await pool.compare('secret', JOHNDOE)).toBe(true)
      const threadsBusy = await liveThreads()
      await new Promise((resolve) => setTimeout(resolve, 300))
      // One thread fewer once it idled out; the next compare works all the same.
      expect(await liveThreads()).toBe(threadsBusy - 1)
      expect(await pool.compare('wrong', JOHNDOE)).toBe(false)
    } finally {
      await pool.destroy()
    }
  })
})

/** Threads of this process, from /proc (Linux): worker threads are among them. */
async function liveThreads(): Promise<number> {
  const { readdir } = await import('node:fs/promises')
  return (await readdir('/proc/self/task')).length
}
