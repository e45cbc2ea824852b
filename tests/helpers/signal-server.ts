// A server process for the signal tests: `serve()` with its default signal handling, an app
// whose lifespan holds a pool, and a route whose background task and session outlive its answer.
// It prints `listening <url>` when ready, then what happens as lines on stdout; the app's logger
// writes each call as a JSON line on stderr.
// Scenarios: `after-response` (the task takes 300 ms), `abandoned` (drainTimeout 100 ms and a
// task that would take a minute), `failing-teardown` (the tear-down throws), `own-cleanup` (the
// examples' idiom: the app's own `process.once(signal)` closes the server, then a store, slowly),
// `own-cleanup-first` (the same listener, registered before serve()), `listener-stays` (a
// listener that never exits, and a timer that keeps the event loop busy), `counts-listeners` (a
// listener that re-sends the signal when it is the only one left, as signal-exit does).
import { serve } from 'gatehouse'
import { createPoolApp } from './pool-app.js'

const scenario = process.argv[2]
const say = (line: string) => process.stdout.write(`${line}\n`)

const app = createPoolApp({
  record: say,
  logger: {
    error: (message, error) =>
      process.stderr.write(
        `${JSON.stringify({ message, error: error instanceof Error ? error.message : error })}\n`,
      ),
  },
  task: () =>
    new Promise((resolve) =>
      setTimeout(resolve, scenario === 'abandoned' || scenario === 'slow' ? 60_000 : 300),
    ),
  afterTeardown: () => {
    // A message that names a secret, as a driver's may: it must reach the logger only.
    if (scenario === 'failing-teardown')
      throw new Error('pool did not close: postgres://app:hunter2@db/app')
  },
})

const ownCleanup = () => {
  void running
    .close()
    .then(() => new Promise((resolve) => setTimeout(resolve, 300)))
    .then(() => {
      say('store closed')
      process.exit(0)
    })
}
if (scenario === 'own-cleanup-first') process.once('SIGTERM', ownCleanup)
if (scenario === 'counts-listeners') {
  const alone = () => {
    if (process.listeners('SIGTERM').length > 1) return
    process.off('SIGTERM', alone)
    process.kill(process.pid, 'SIGTERM')
  }
  process.on('SIGTERM', alone)
}
if (scenario === 'listener-stays') {
  process.on('SIGTERM', () => say('app heard SIGTERM'))
  setInterval(() => {}, 1000)
}

const running = await serve(app, {
  port: 0,
  hostname: '127.0.0.1',
  ...(scenario === 'abandoned' ? { drainTimeout: 100 } : {}),
})
if (scenario === 'own-cleanup') process.once('SIGTERM', ownCleanup)
say(`listening ${running.url}`)
