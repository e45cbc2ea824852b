import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** Password hashing off the main thread: bcrypt checks and Argon2id hashing and checks. */
export interface HashPool {
  /** bcrypt: does `password` match `hash`? */
  compare(password: string, hash: string): Promise<boolean>
  /** Argon2: does `password` match the PHC string `hash`? Malformed hashes answer false. */
  argon2Verify(hash: string, password: string): Promise<boolean>
  /** Argon2: a new PHC string for `password` with `options` (those of `@node-rs/argon2`). */
  argon2Hash(password: string, options: Readonly<Record<string, number>>): Promise<string>
  /** Stops every worker; pending and later calls are rejected. */
  destroy(): Promise<void>
}

type Message =
  | { op: 'bcrypt'; password: string; hash: string }
  | { op: 'argon2-verify'; password: string; hash: string }
  | { op: 'argon2-hash'; password: string; options: Readonly<Record<string, number>> }

interface Job {
  message: Message
  resolve(value: unknown): void
  reject(error: Error): void
}

interface Slot {
  worker: Worker
  job: Job | undefined
}

// Plain CommonJS evaluated in the worker, so it runs the same from `src/` (tsx, Vitest) and `dist/`.
// Each worker lowers its own scheduling priority (on Linux, niceness is per thread), so logins
// running flat out never starve the event loop that answers every other request.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
try { require('node:os').setPriority(workerData.niceness) } catch {}
const bcrypt = require(workerData.bcryptPath)
let argon2
parentPort.on('message', ({ op, password, hash, options }) => {
  try {
    if (op === 'argon2-hash') {
      argon2 ??= require(workerData.argon2Path)
      return parentPort.postMessage(argon2.hashSync(password, options))
    }
    if (op === 'argon2-verify') {
      argon2 ??= require(workerData.argon2Path)
      return parentPort.postMessage(argon2.verifySync(hash, password) === true)
    }
    parentPort.postMessage(bcrypt.compareSync(password, hash) === true)
  } catch (error) {
    parentPort.postMessage(op === 'argon2-hash' ? { error: String(error && error.message) } : false)
  }
})
`

/** How much lower than the main thread hashing workers run (0 = same, 19 = lowest). */
const WORKER_NICENESS = 5

/**
 * A lazy pool of `size` workers hashing passwords: bcryptjs (pure JavaScript, ~0.3 s per cost-12
 * compare, which would otherwise block the event loop) and Argon2id (`@node-rs/argon2`'s native
 * code, run here rather than on libuv's pool so it gets the workers' lower priority). Workers start on demand and are `unref()`ed while idle, so
 * they never keep the process alive; a busy worker is ref'ed until it answers, so an awaited compare
 * is never cut short. Calls queue when every worker is busy. A worker that dies is dropped, its
 * call rejected, and a new one started for the queue.
 */
export function createHashPool(size: number, source = WORKER_SOURCE): HashPool {
  const require = createRequire(import.meta.url)
  const workerData = {
    bcryptPath: require.resolve('bcryptjs'),
    argon2Path: require.resolve('@node-rs/argon2'),
    niceness: WORKER_NICENESS,
  }
  const slots: Slot[] = []
  const queue: Job[] = []
  let destroyed = false

  function start(): Slot {
    const worker = new Worker(source, { eval: true, workerData })
    const slot: Slot = { worker, job: undefined }
    worker.unref()
    worker.on('message', (value: unknown) => {
      const job = slot.job
      slot.job = undefined
      worker.unref()
      job?.resolve(value)
      dispatch()
    })
    const fail = (error: Error) => {
      const job = slot.job
      slot.job = undefined
      const index = slots.indexOf(slot)
      if (index !== -1) slots.splice(index, 1)
      job?.reject(error)
      dispatch()
    }
    worker.on('error', (error) => {
      fail(new Error('password hashing worker failed', { cause: error }))
      void worker.terminate()
    })
    worker.on('exit', (code) => fail(new Error(`password hashing worker exited with code ${code}`)))
    slots.push(slot)
    return slot
  }

  function dispatch() {
    while (queue.length > 0 && !destroyed) {
      const slot = slots.find((candidate) => candidate.job === undefined) ?? spare()
      if (slot === undefined) return
      const job = queue.shift() as Job
      slot.job = job
      slot.worker.ref()
      slot.worker.postMessage(job.message)
    }
  }

  const spare = () => (slots.length < size ? start() : undefined)

  const run = (message: Message) => {
    if (destroyed) return Promise.reject(new Error('password hashing pool was destroyed'))
    return new Promise<unknown>((resolve, reject) => {
      queue.push({ message, resolve, reject })
      dispatch()
    })
  }

  return {
    async compare(password, hash) {
      return (await run({ op: 'bcrypt', password, hash })) === true
    },
    async argon2Verify(hash, password) {
      return (await run({ op: 'argon2-verify', password, hash })) === true
    },
    async argon2Hash(password, options) {
      const result = await run({ op: 'argon2-hash', password, options })
      if (typeof result !== 'string') throw new Error('Argon2 hashing failed')
      return result
    },
    async destroy() {
      destroyed = true
      for (const job of queue.splice(0))
        job.reject(new Error('password hashing pool was destroyed'))
      await Promise.all(slots.map((slot) => slot.worker.terminate()))
    },
  }
}
