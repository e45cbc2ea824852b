/**
 * The requests an app is still busy with, on either engine: from dispatch until the answer is
 * written and its after-response work (background tasks, then cleanups) has run. A shut-down waits
 * for them before the lifespan's tear-down, as uvicorn waits for its connection tasks (which run
 * Starlette's background tasks) before it sends `lifespan.shutdown`.
 */
export class InFlight {
  #running = 0
  readonly #waiters = new Set<() => void>()

  /** Count one request in; call what it returns when it is over (more calls are ignored). */
  begin(): () => void {
    this.#running++
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.#running--
      if (this.#running > 0) return
      for (const wake of this.#waiters) wake()
      this.#waiters.clear()
    }
  }

  /**
   * Resolve once nothing is in flight, or after `timeout` ms, with how many were still running
   * then (0: all finished). The timer is not unref'd: work waiting on nothing that keeps the
   * process alive must not let it exit before the tear-down has run.
   */
  async idle(timeout: number): Promise<number> {
    if (this.#running === 0) return 0
    let wake!: () => void
    const idle = new Promise<void>((resolve) => {
      wake = resolve
    })
    this.#waiters.add(wake)
    let timer: ReturnType<typeof setTimeout> | undefined
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeout)
    })
    await Promise.race([idle, late])
    clearTimeout(timer)
    this.#waiters.delete(wake)
    return this.#running
  }
}
