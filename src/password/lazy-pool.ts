import type { Checked, DecoySpec, HashPool, HashPoolOptions } from './hash-pool.js'

/**
 * A {@link HashPool} whose worker threads (and `node:worker_threads`, and the native Argon2 code)
 * load on the first hash, not with the package: an app that never hashes a password — one that only
 * verifies tokens, or runs where Node's built-ins are missing — never loads them.
 */
export function lazyHashPool(size: number, options: HashPoolOptions): HashPool {
  let loaded: Promise<HashPool> | undefined
  let ready: HashPool | undefined
  const pool = () => {
    loaded ??= import('./hash-pool.js').then(({ createHashPool }) => {
      ready = createHashPool(size, options)
      return ready
    })
    return loaded
  }
  return {
    compare: async (password: string, hash: string) => (await pool()).compare(password, hash),
    argon2Verify: async (hash: string, password: string) =>
      (await pool()).argon2Verify(hash, password),
    check: async (
      algorithm: 'bcrypt' | 'argon2',
      hash: string,
      password: string,
    ): Promise<Checked> => (await pool()).check(algorithm, hash, password),
    argon2Hash: async (password: string, hashOptions: Readonly<Record<string, number>>) =>
      (await pool()).argon2Hash(password, hashOptions),
    decoy: async (spec: DecoySpec) => (await pool()).decoy(spec),
    get queued() {
      return ready?.queued ?? 0
    },
    destroy: async () => {
      if (loaded !== undefined) await (await loaded).destroy()
    },
  }
}
