import { BackgroundTasks, dependency, Gatehouse, type Logger } from 'gatehouse'

export type PoolApp = Gatehouse<{ pool: { open: boolean } }>

export interface PoolAppOptions {
  /** Where each event goes: a test's list, or a server process's stdout. */
  readonly record: (event: string) => void
  readonly logger: Logger
  /** What the background task of `POST /send` waits for before it ends. */
  readonly task: () => Promise<unknown>
  /** Runs at the end of the tear-down, once it is recorded; may throw. */
  readonly afterTeardown?: (() => void) | undefined
}

/**
 * An app whose lifespan holds a pool, and a route whose background task and session still use it
 * after the answer: each records whether the pool was open when it ended. The shut-down tests run
 * it in-process (`tests/shutdown-drain.test.ts`) and in a server process under signals
 * (`tests/helpers/signal-server.ts`).
 */
export function createPoolApp(options: PoolAppOptions): PoolApp {
  const { record } = options
  const app: PoolApp = new Gatehouse({
    logger: options.logger,
    async *lifespan() {
      const pool = { open: true }
      try {
        yield { pool }
      } finally {
        pool.open = false
        record('teardown')
        options.afterTeardown?.()
      }
    },
  })
  const session = dependency({}, function* session() {
    try {
      yield 'session'
    } finally {
      record(`cleanup, pool open: ${app.state.pool.open}`)
    }
  })
  app.post('/send', { inputs: { tasks: BackgroundTasks, session } }, ({ tasks }) => {
    tasks.add(async () => {
      record('task started')
      await options.task()
      record(`task done, pool open: ${app.state.pool.open}`)
    })
    return { queued: true }
  })
  app.get('/ok', {}, () => ({ ok: true }))
  return app
}
