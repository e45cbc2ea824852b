import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import bcrypt from 'bcryptjs'
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
  parentPort.postMessage(bcrypt.compareSync(password, hash))
})
`

describe('bcrypt worker pool', () => {
  const pools: { destroy(): Promise<void> }[] = []
  afterAll(() => Promise.all(pools.map((pool) => pool.destroy())))

  it('keeps the event loop responsive while cost-12 hashes are verified', async () => {
    const passwords = createPasswordHasher()
    await passwords.verify('warm-up', CHEAP) // starts a worker outside the measurement
    const histogram = monitorEventLoopDelay({ resolution: 10 })
    histogram.enable()
    const start = performance.now()
    const results = await Promise.all([
      passwords.verify('secret', JOHNDOE),
      passwords.verify('secretalice', ALICE),
      passwords.verify('wrong', JOHNDOE),
      passwords.verify('wrong', ALICE),
    ])
    const elapsed = performance.now() - start
    histogram.disable()
    expect(results).toEqual([true, true, false, false])
    expect(elapsed).toBeGreaterThan(500)
    // On the main thread one compare would stall the loop for its whole duration (about elapsed / 2
    // here, two workers doing two compares each); off it, the worst stall is a small fraction.
    const maxLag = histogram.max / 1e6
    expect(maxLag).toBeLessThan(elapsed / 8)
  })

  it('queues calls when every worker is busy', async () => {
    const pool = createHashPool(1)
    pools.push(pool)
    const passwords = ['hunter2', 'hunter3', 'hunter2', '', 'hunter2']
    const results = await Promise.all(passwords.map((password) => pool.compare(password, CHEAP)))
    expect(results).toEqual([true, false, true, false, true])
  })

  it('rejects the call of a worker that dies, and replaces the worker', async () => {
    const pool = createHashPool(1, CRASHING)
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
