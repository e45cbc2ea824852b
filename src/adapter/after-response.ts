import type { BaseRequestView } from '../core/run/request-view.js'

/**
 * Run what a request queued for after its response (background tasks, then cleanups), once. Each
 * entry reports its own failures; this only makes sure one never stops the next or escapes.
 */
export async function runAfterResponse(view: BaseRequestView): Promise<void> {
  const queued = view.afterResponse
  if (queued === undefined) return
  view.afterResponse = undefined
  for (const run of queued) {
    try {
      await run()
    } catch {
      // Reported where it happened.
    }
  }
}
