import type { Logger } from './respond.js'

// What a run task leaves in its place: nothing to hold on to (its arguments) until the run ends.
const noop = () => {}

/**
 * Work to do after the response is sent (FastAPI's `BackgroundTasks`): declare it as an input,
 * `{ tasks: BackgroundTasks }`, and `add` functions. They run in order once the response has been
 * written, before the request's yield-cleanups, so a database session opened by a dependency is still
 * open for them. A task that throws is logged and the next one still runs. Every input of one request
 * that declares `BackgroundTasks` gets the same instance.
 * @example
 * app.post('/send/', { inputs: { tasks: BackgroundTasks, email: Query(z.email()) } },
 *   ({ tasks, email }) => { tasks.add(sendWelcome, email); return { queued: true } })
 */
export class BackgroundTasks {
  #tasks: (() => unknown)[] = []
  /** The next task to run: a cursor, since taking each off the front copies a long list. */
  #next = 0

  /** Queue `fn(...args)` to run after the response. */
  add<A extends unknown[]>(fn: (...args: A) => unknown, ...args: A): void {
    if (typeof fn !== 'function')
      throw new TypeError('BackgroundTasks.add: `fn` must be a function')
    this.#tasks.push(() => fn(...args))
  }

  /** How many tasks are queued. */
  get size(): number {
    return this.#tasks.length - this.#next
  }

  /** Run every queued task in order; each failure is logged and does not stop the others. */
  async run(logger: Logger, where: string): Promise<void> {
    // One at a time from the front, so a task that queues another (Starlette iterates its live
    // list too) has it run after the rest.
    while (this.#next < this.#tasks.length) {
      const task = this.#tasks[this.#next] as () => unknown
      this.#tasks[this.#next++] = noop
      try {
        await task()
      } catch (error) {
        logger.error(`Background task failed in ${where}`, error)
      }
    }
    this.#tasks = []
    this.#next = 0
  }
}
