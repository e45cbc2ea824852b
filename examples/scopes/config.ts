/**
 * Settings from the environment. The default key is the tutorial's own, published with it: fine for
 * trying the app on your machine, never for anything reachable by others (set SECRET_KEY, e.g. from
 * `openssl rand -hex 32`).
 */
export const DEVELOPMENT_SECRET_KEY =
  '09d25e094faa6ca2556c818166b7a9563b93f7099f6f0f4caa6cf63b88e8d3e7'

export interface ScopesConfig {
  secretKey: string
  usingDevelopmentKey: boolean
  /** A SQLite file path. */
  databaseFile: string
  port: number
  host: string
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): ScopesConfig {
  const port = Number(env.PORT ?? 8000)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error('PORT must be an integer from 0 to 65535')
  return {
    secretKey: env.SECRET_KEY || DEVELOPMENT_SECRET_KEY,
    usingDevelopmentKey: !env.SECRET_KEY,
    databaseFile: sqliteFile(env.DATABASE_URL),
    port,
    host: env.HOST || '127.0.0.1',
  }
}

/** `sqlite:///abs/path.db`, `sqlite://rel.db`, `file:x.db`, or a plain path; default `scopes-example.db`. */
function sqliteFile(url: string | undefined): string {
  if (!url) return 'scopes-example.db'
  if (/^postgres(ql)?:\/\//.test(url))
    throw new Error('DATABASE_URL: the PostgreSQL store is not available yet; use a SQLite file')
  const match = /^(?:sqlite:\/\/|file:)(.*)$/.exec(url)
  const file = match ? (match[1] ?? '') : url
  if (!file) throw new Error('DATABASE_URL: no SQLite file name given')
  return file.startsWith('/') && url.startsWith('sqlite://') && !url.startsWith('sqlite:///')
    ? file.slice(1)
    : file
}
