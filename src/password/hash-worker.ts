/**
 * The code every hashing worker runs: plain CommonJS evaluated with `eval: true`, so it runs the
 * same from `src/` (tsx, Vitest) and `dist/`. Each worker lowers its own scheduling priority (on
 * Linux, niceness is per thread), so logins running flat out never starve the event loop that
 * answers every other request.
 *
 * Operations: `bcrypt` (compare) and `argon2-verify`, which answer `{ valid, ms }`; `argon2-hash`;
 * and `decoy`, which hashes a random password (bcrypt at `cost`, or Argon2 with `options`) and
 * answers `{ hash, ms }`. `ms` is measured in the worker, so time spent queued does not count.
 */
export const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { randomUUID } = require('node:crypto')
try { require('node:os').setPriority(workerData.niceness) } catch {}
const bcrypt = require(workerData.bcryptPath)
let argon2
const loadArgon2 = () => (argon2 ??= require(workerData.argon2Path))
parentPort.on('message', ({ op, password, hash, options, cost }) => {
  const start = performance.now()
  try {
    if (op === 'argon2-hash') return parentPort.postMessage(loadArgon2().hashSync(password, options))
    if (op === 'decoy') {
      const made = cost === undefined
        ? loadArgon2().hashSync(randomUUID(), options)
        : bcrypt.hashSync(randomUUID(), cost)
      return parentPort.postMessage({ hash: made, ms: performance.now() - start })
    }
    const valid = op === 'argon2-verify'
      ? loadArgon2().verifySync(hash, password) === true
      : bcrypt.compareSync(password, hash) === true
    parentPort.postMessage({ valid, ms: performance.now() - start })
  } catch (error) {
    const verifying = op === 'bcrypt' || op === 'argon2-verify'
    parentPort.postMessage(
      verifying ? { valid: false, ms: performance.now() - start } : { error: String(error && error.message) },
    )
  }
})`

/** How much lower than the main thread hashing workers run (0 = same, 19 = lowest). */
export const WORKER_NICENESS = 5
