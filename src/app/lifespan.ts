/**
 * Start-up and shut-down of an app (FastAPI's `lifespan`): an (async) generator function whose code
 * before `yield` runs once before the first request, whose yielded value becomes `app.state`, and
 * whose code after `yield` runs at shut-down, after in-flight requests have drained.
 * @example
 * const app = new Gatehouse({
 *   async *lifespan() {
 *     const db = await openDatabase()
 *     try { yield { db } } finally { await db.close() }
 *   },
 * })
 */
export type Lifespan<S> = () => AsyncGenerator<S, void, void> | Generator<S, void, void>

/** Where an app is in its lifespan. */
export type LifespanPhase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped'

/**
 * Runs a {@link Lifespan}: `start` up to its `yield`, `stop` from there to its end. Once stopped
 * (or after a set-up that threw), `start` runs a new cycle from the beginning: one cycle per
 * `serve()`, as an ASGI server runs the lifespan once per server run.
 */
export class LifespanRunner<S> {
  readonly #lifespan: Lifespan<S> | undefined
  #generator: AsyncGenerator<S, void, void> | Generator<S, void, void> | undefined
  #starting: Promise<S | undefined> | undefined
  #stopping: Promise<void> | undefined
  #phase: LifespanPhase = 'idle'
  #failed = false
  #state: S | undefined

  constructor(lifespan: Lifespan<S> | undefined) {
    if (lifespan !== undefined && typeof lifespan !== 'function')
      throw new TypeError('Gatehouse: `lifespan` must be a generator function')
    this.#lifespan = lifespan
  }

  get phase(): LifespanPhase {
    return this.#phase
  }

  get state(): S | undefined {
    return this.#state
  }

  /** Run set-up, once; concurrent callers share it. A set-up that throws leaves the app stopped. */
  start(): Promise<S | undefined> {
    if (this.#phase === 'stopped') {
      this.#starting = undefined
      this.#stopping = undefined
      this.#state = undefined
    }
    this.#starting ??= this.#start()
    return this.#starting
  }

  async #start(): Promise<S | undefined> {
    if (this.#lifespan === undefined) {
      this.#phase = 'running'
      return undefined
    }
    this.#phase = 'starting'
    this.#failed = false
    try {
      const generator = this.#lifespan()
      if (
        generator === null ||
        typeof generator !== 'object' ||
        typeof generator.next !== 'function'
      )
        throw new TypeError(
          'Gatehouse: `lifespan` must be a generator function (use `function*` and `yield`)',
        )
      this.#generator = generator
      const first = await generator.next()
      if (first.done) throw new TypeError('Gatehouse: `lifespan` returned without yielding')
      this.#state = first.value
      this.#phase = 'running'
      return first.value
    } catch (error) {
      this.#phase = 'stopped'
      this.#failed = true
      throw error
    }
  }

  /** Whether the last set-up threw (the app never ran); the next `start` tries again. */
  get failed(): boolean {
    return this.#failed
  }

  /** Run tear-down, once, after a successful start; a no-op otherwise. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop()
    return this.#stopping
  }

  async #stop(): Promise<void> {
    if (this.#starting !== undefined) await this.#starting.catch(() => {})
    const generator = this.#generator
    this.#generator = undefined
    if (this.#phase !== 'running') {
      this.#phase = 'stopped'
      return
    }
    this.#phase = 'stopping'
    try {
      if (generator !== undefined) {
        const after = await generator.next()
        if (!after.done) await generator.return(undefined)
      }
    } finally {
      this.#phase = 'stopped'
    }
  }
}
