import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** Compares passwords with bcrypt hashes off the main thread. */
export interface BcryptPool {
  compare(password: string, hash: string): Promise<boolean>
  /** Stops every worker; pending and later calls are rejected. */
  destroy(): Promise<void>
}

interface Job {
  password: string
  hash: string
  resolve(valid: boolean): void
  reject(error: Error): void
}

interface Slot {
  worker: Worker
  job: Job | undefined
}

// Plain CommonJS evaluated in the worker, so it runs the same from `src/` (tsx, Vitest) and `dist/`.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const bcrypt = require(workerData.bcryptPath)
parentPort.on('message', ({ password, hash }) => {
  let valid = false
  try { valid = bcrypt.compareSync(password, hash) === true } catch {}
  parentPort.postMessage(valid)
})
`

/**
 * A lazy pool of `size` workers running bcryptjs (pure JavaScript, ~0.3 s per cost-12 compare, which
 * would otherwise block the event loop). Workers start on demand and are `unref()`ed while idle, so
 * they never keep the process alive; a busy worker is ref'ed until it answers, so an awaited compare
 * is never cut short. Calls queue when every worker is busy. A worker that dies is dropped, its
 * call rejected, and a new one started for the queue.
 */
export function createBcryptPool(size: number, source = WORKER_SOURCE): BcryptPool {
  const bcryptPath = createRequire(import.meta.url).resolve('bcryptjs')
  const slots: Slot[] = []
  const queue: Job[] = []
  let destroyed = false

  function start(): Slot {
    const worker = new Worker(source, { eval: true, workerData: { bcryptPath } })
    const slot: Slot = { worker, job: undefined }
    worker.unref()
    worker.on('message', (valid: unknown) => {
      const job = slot.job
      slot.job = undefined
      worker.unref()
      job?.resolve(valid === true)
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
      fail(new Error('bcrypt worker failed', { cause: error }))
      void worker.terminate()
    })
    worker.on('exit', (code) => fail(new Error(`bcrypt worker exited with code ${code}`)))
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
      slot.worker.postMessage({ password: job.password, hash: job.hash })
    }
  }

  const spare = () => (slots.length < size ? start() : undefined)

  return {
    compare(password, hash) {
      if (destroyed) return Promise.reject(new Error('bcrypt pool was destroyed'))
      return new Promise<boolean>((resolve, reject) => {
        queue.push({ password, hash, resolve, reject })
        dispatch()
      })
    },
    async destroy() {
      destroyed = true
      for (const job of queue.splice(0)) job.reject(new Error('bcrypt pool was destroyed'))
      await Promise.all(slots.map((slot) => slot.worker.terminate()))
    },
  }
}
