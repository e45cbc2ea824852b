import { consoleLogger, type Logger } from '../core/run/respond.js'

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
 * What starts and stops inside an app's lifespan (its mounted apps): started after the app's own
 * set-up, stopped before its tear-down. A start that throws must leave nothing of itself running.
 */
export interface NestedLifespans {
  start(): Promise<void>
  stop(): Promise<void>
}

const NOTHING_NESTED: NestedLifespans = {
  start: async () => {},
  stop: async () => {},
}

/**
 * Runs a {@link Lifespan}: `start` up to its `yield`, then the nested ones; `stop` the nested ones,
 * then from the `yield` to its end. The app is `running` only once everything nested is, and a
 * start is all or nothing: if a nested start throws, the set-up already done is torn down again.
 * Once stopped (or after a start that threw), `start` runs a new cycle from the beginning: one
 * cycle per `serve()`, as an ASGI server runs the lifespan once per server run.
 */
export class LifespanRunner<S> {
  readonly #lifespan: Lifespan<S> | undefined
  readonly #nested: NestedLifespans
  readonly #logger: Logger
  #generator: AsyncGenerator<S, void, void> | Generator<S, void, void> | undefined
  #starting: Promise<S | undefined> | undefined
  #stopping: Promise<void> | undefined
  #phase: LifespanPhase = 'idle'
  #failed = false
  #state: S | undefined
  #live = false

  constructor(
    lifespan: Lifespan<S> | undefined,
    nested: NestedLifespans = NOTHING_NESTED,
    logger: Logger = consoleLogger,
  ) {
    if (lifespan !== undefined && typeof lifespan !== 'function')
      throw new TypeError('Gatehouse: `lifespan` must be a generator function')
    this.#lifespan = lifespan
    this.#nested = nested
    this.#logger = logger
  }

  get phase(): LifespanPhase {
    return this.#phase
  }

  get state(): S | undefined {
    return this.#state
  }

  /**
   * Whether the set-up has yielded and not been torn down: the state may be read. Already while the
   * nested apps start (their set-up may use the parent's state) and still during tear-down.
   */
  get live(): boolean {
    return this.#live
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
    this.#phase = 'starting'
    this.#failed = false
    try {
      if (this.#lifespan !== undefined) await this.#setUp(this.#lifespan)
      this.#live = true
    } catch (error) {
      this.#generator = undefined
      this.#phase = 'stopped'
      this.#failed = true
      throw error
    }
    try {
      await this.#nested.start()
    } catch (error) {
      // All or nothing: what this set-up opened (a pool) is closed again. A tear-down that throws
      // too is logged; the error that stopped the start is the one to report.
      await this.#tearDown().catch((tearDownError: unknown) =>
        this.#logger.error('Lifespan tear-down failed', tearDownError),
      )
      this.#live = false
      this.#phase = 'stopped'
      this.#failed = true
      throw error
    }
    this.#phase = 'running'
    return this.#state
  }

  async #setUp(lifespan: Lifespan<S>): Promise<void> {
    const generator = lifespan()
    if (generator === null || typeof generator !== 'object' || typeof generator.next !== 'function')
      throw new TypeError(
        'Gatehouse: `lifespan` must be a generator function (use `function*` and `yield`)',
      )
    this.#generator = generator
    const first = await generator.next()
    if (first.done) throw new TypeError('Gatehouse: `lifespan` returned without yielding')
    this.#state = first.value
  }

  /** The code after `yield`, once per set-up. */
  async #tearDown(): Promise<void> {
    const generator = this.#generator
    this.#generator = undefined
    if (generator === undefined) return
    const after = await generator.next()
    if (!after.done) await generator.return(undefined)
  }

  /** Whether the last set-up threw (the app never ran); the next `start` tries again. */
  get failed(): boolean {
    return this.#failed
  }

  /**
   * Run tear-down, once, after a successful start; a no-op otherwise. `drain` runs first, once the
   * app is `stopping` (new requests refused) but still `live` (those in flight read the state).
   * Concurrent callers share the first caller's.
   */
  stop(drain: () => Promise<void> = async () => {}): Promise<void> {
    this.#stopping ??= this.#stop(drain)
    return this.#stopping
  }

  async #stop(drain: () => Promise<void>): Promise<void> {
    // Only a start under way is awaited: a running app is `stopping` at once, so a request sent
    // right after `shutdown()` is already refused.
    if (this.#phase === 'starting') await this.#starting?.catch(() => {})
    if (this.#phase !== 'running') {
      this.#phase = 'stopped'
      return
    }
    this.#phase = 'stopping'
    // Every part is torn down even when one throws; the first error is reported, the others logged.
    let failure: { error: unknown } | undefined
    try {
      await drain()
    } catch (error) {
      failure = { error }
    }
    try {
      await this.#nested.stop()
    } catch (error) {
      if (failure === undefined) failure = { error }
      else this.#logger.error('Lifespan tear-down failed', error)
    }
    try {
      await this.#tearDown()
    } catch (error) {
      if (failure === undefined) failure = { error }
      else this.#logger.error('Lifespan tear-down failed', error)
    } finally {
      this.#live = false
      this.#phase = 'stopped'
    }
    if (failure !== undefined) throw failure.error
  }
}
