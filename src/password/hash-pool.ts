import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import { ServiceUnavailableError } from '../core/errors/index.js'
import { WORKER_NICENESS, WORKER_SOURCE } from './hash-worker.js'

/** What a decoy hash is made like: bcrypt at a cost, or Argon2 with `@node-rs/argon2` options. */
export type DecoySpec =
  | { readonly cost: number }
  | { readonly options: Readonly<Record<string, number>> }

/** The answer of a check, and how long it took in the worker (time spent queued not counted). */
export interface Checked {
  readonly valid: boolean
  readonly ms: number
}

/** Password hashing off the main thread: bcrypt checks and Argon2id hashing and checks. */
export interface HashPool {
  /** bcrypt: does `password` match `hash`? */
  compare(password: string, hash: string): Promise<boolean>
  /** Argon2: does `password` match the PHC string `hash`? Malformed hashes answer false. */
  argon2Verify(hash: string, password: string): Promise<boolean>
  /** {@link HashPool.compare} or {@link HashPool.argon2Verify}, timed. */
  check(algorithm: 'bcrypt' | 'argon2', hash: string, password: string): Promise<Checked>
  /** Argon2: a new PHC string for `password` with `options` (those of `@node-rs/argon2`). */
  argon2Hash(password: string, options: Readonly<Record<string, number>>): Promise<string>
  /** A hash of a random password made as `spec` says, and how long making it took in the worker. */
  decoy(spec: DecoySpec): Promise<{ hash: string; ms: number }>
  /** Calls waiting for a free worker right now. */
  readonly queued: number
  /** Stops every worker; pending and later calls are rejected. */
  destroy(): Promise<void>
}

/** Options of {@link createHashPool}. */
export interface HashPoolOptions {
  /**
   * Calls that may wait for a busy worker; one more is refused at once with a
   * `ServiceUnavailableError` (503 with `Retry-After`). Default: 16 per worker.
   */
  maxQueue?: number | undefined
  /**
   * Milliseconds a worker may sit idle before it is stopped, giving back its memory (an Argon2id
   * worker holds its 19 MiB and its own V8 heap); the next call starts one again. Default 30,000.
   */
  idleTimeout?: number | undefined
  /** The workers' code; tests swap in one that crashes. */
  source?: string | undefined
}

type Message =
  | { op: 'bcrypt'; password: string; hash: string }
  | { op: 'argon2-verify'; password: string; hash: string }
  | { op: 'argon2-hash'; password: string; options: Readonly<Record<string, number>> }
  | { op: 'decoy'; cost?: number; options?: Readonly<Record<string, number>> }

interface Job {
  message: Message
  resolve(value: unknown): void
  reject(error: Error): void
}

interface Slot {
  worker: Worker
  job: Job | undefined
  started: number
  idle: ReturnType<typeof setTimeout> | undefined
}

/** What one call is assumed to take before any has been timed, for the first `Retry-After`. */
const FIRST_GUESS_MS = 100

/**
 * A lazy pool of `size` workers hashing passwords: bcryptjs (pure JavaScript, ~0.3 s per cost-12
 * compare, which would otherwise block the event loop) and Argon2id (`@node-rs/argon2`'s native
 * code, run here rather than on libuv's pool so it gets the workers' lower priority). Workers start
 * on demand and are `unref()`ed while idle, so they never keep the process alive; a busy worker is
 * ref'ed until it answers, so an awaited compare is never cut short. Calls wait in a bounded queue
 * when every worker is busy, and are refused with 503 when it is full, so a login flood costs
 * neither unbounded memory nor unbounded waits. A worker that dies is dropped, its call rejected,
 * and a new one started for the queue.
 * @example
 * const pool = createHashPool(2, { maxQueue: 32 })
 * const valid = await pool.compare(password, bcryptHash)
 */
export function createHashPool(size: number, options: HashPoolOptions = {}): HashPool {
  const maxQueue = options.maxQueue ?? 16 * size
  if (!Number.isInteger(maxQueue) || maxQueue < 0)
    throw new TypeError('createHashPool: "maxQueue" must be a non-negative integer')
  const require = createRequire(import.meta.url)
  const workerData = {
    bcryptPath: require.resolve('bcryptjs'),
    argon2Path: require.resolve('@node-rs/argon2'),
    niceness: WORKER_NICENESS,
  }
  const idleTimeout = options.idleTimeout ?? 30_000
  if (!Number.isInteger(idleTimeout) || idleTimeout < 0)
    throw new TypeError('createHashPool: "idleTimeout" must be a non-negative integer')
  const source = options.source ?? WORKER_SOURCE
  const slots: Slot[] = []
  const queue: Job[] = []
  let destroyed = false
  // A moving average of how long a call holds a worker, to tell refused callers when to retry.
  let averageMs = FIRST_GUESS_MS

  function start(): Slot {
    const worker = new Worker(source, { eval: true, workerData })
    const slot: Slot = { worker, job: undefined, started: 0, idle: undefined }
    worker.unref()
    worker.on('message', (value: unknown) => {
      const job = slot.job
      slot.job = undefined
      worker.unref()
      averageMs += (performance.now() - slot.started - averageMs) / 8
      job?.resolve(value)
      dispatch()
      // Nothing more for it: stop it after a while, so an idle server gives its memory back.
      if (slot.job === undefined && !destroyed) {
        slot.idle = setTimeout(() => {
          if (slot.job !== undefined) return
          const index = slots.indexOf(slot)
          if (index !== -1) slots.splice(index, 1)
          void worker.terminate()
        }, idleTimeout)
        slot.idle.unref()
      }
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
      clearTimeout(slot.idle)
      slot.job = job
      slot.started = performance.now()
      slot.worker.ref()
      slot.worker.postMessage(job.message)
    }
  }

  const spare = () => (slots.length < size ? start() : undefined)
  const idle = () => slots.some((slot) => slot.job === undefined) || slots.length < size

  const run = (message: Message) => {
    if (destroyed) return Promise.reject(new Error('password hashing pool was destroyed'))
    if (queue.length >= maxQueue && !idle()) {
      const waitMs = ((queue.length + 1) * averageMs) / size
      return Promise.reject(
        new ServiceUnavailableError(waitMs / 1000, 'Too many logins at once; try again shortly'),
      )
    }
    return new Promise<unknown>((resolve, reject) => {
      queue.push({ message, resolve, reject })
      dispatch()
    })
  }

  const check = async (algorithm: 'bcrypt' | 'argon2', hash: string, password: string) => {
    const op = algorithm === 'bcrypt' ? 'bcrypt' : 'argon2-verify'
    const result = (await run({ op, password, hash })) as { valid?: unknown; ms?: unknown }
    return { valid: result.valid === true, ms: typeof result.ms === 'number' ? result.ms : 0 }
  }

  return {
    check,
    async compare(password, hash) {
      return (await check('bcrypt', hash, password)).valid
    },
    async argon2Verify(hash, password) {
      return (await check('argon2', hash, password)).valid
    },
    async argon2Hash(password, options) {
      const result = await run({ op: 'argon2-hash', password, options })
      if (typeof result !== 'string') throw new Error('password hashing failed')
      return result
    },
    async decoy(spec) {
      const result = (await run({ op: 'decoy', ...spec })) as { hash?: unknown; ms?: unknown }
      if (typeof result.hash !== 'string' || typeof result.ms !== 'number')
        throw new Error('password hashing failed')
      return { hash: result.hash, ms: result.ms }
    },
    get queued() {
      return queue.length
    },
    async destroy() {
      destroyed = true
      for (const job of queue.splice(0))
        job.reject(new Error('password hashing pool was destroyed'))
      await Promise.all(slots.map((slot) => slot.worker.terminate()))
    },
  }
}
