// A server process for the signal tests: `serve()` with its default signal handling, an app
// whose lifespan holds a pool, and a route whose background task and session outlive its answer.
// It prints `listening <url>` when ready, then what happens as lines on stdout; the app's logger
// writes each call as a JSON line on stderr.
// Scenarios: `after-response` (the task takes 300 ms), `abandoned` (drainTimeout 100 ms and a
// task that would take a minute), `failing-teardown` (the tear-down throws).
import { BackgroundTasks, dependency, Gatehouse, serve } from 'gatehouse'

const scenario = process.argv[2]
const say = (line: string) => process.stdout.write(`${line}\n`)

const app: Gatehouse<{ pool: { open: boolean } }> = new Gatehouse({
  logger: {
    error: (message, error) =>
      process.stderr.write(
        `${JSON.stringify({ message, error: error instanceof Error ? error.message : error })}\n`,
      ),
  },
  async *lifespan() {
    const pool = { open: true }
    try {
      yield { pool }
    } finally {
      pool.open = false
      say('teardown')
      if (scenario === 'failing-teardown')
        // A message that names a secret, as a driver's may: it must reach the logger only.
        // biome-ignore lint/correctness/noUnsafeFinally: the tear-down failing is the scenario
        throw new Error('pool did not close: postgres://app:hunter2@db/app')
    }
  },
})
const session = dependency({}, function* session() {
  try {
    yield 'session'
  } finally {
    say(`cleanup, pool open: ${app.state.pool.open}`)
  }
})
app.post('/send', { inputs: { tasks: BackgroundTasks, session } }, ({ tasks }) => {
  tasks.add(async () => {
    say('task started')
    await new Promise((resolve) => setTimeout(resolve, scenario === 'abandoned' ? 60_000 : 300))
    say(`task done, pool open: ${app.state.pool.open}`)
  })
  return { queued: true }
})

const running = await serve(app, {
  port: 0,
  hostname: '127.0.0.1',
  ...(scenario === 'abandoned' ? { drainTimeout: 100 } : {}),
})
say(`listening ${running.url}`)
