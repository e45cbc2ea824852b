import type { Bindings } from '../compile/plan.js'
import type { Dependency } from '../declare/dependency.js'

/** Undo work a dependency set up; receives the request's error, if any. */
export type Cleanup = (error: unknown) => unknown

/** The argument object of a dependency or handler: each key's slot value (decorator entries have no key). */
export function bindArgs(bindings: Bindings, values: readonly unknown[]): Record<string, unknown> {
  const args: Record<string, unknown> = {}
  for (const [key, slot] of bindings) if (key !== '') args[key] = values[slot]
  return args
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

function isGenerator(value: unknown): value is Generator | AsyncGenerator {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as Generator).next === 'function' &&
    typeof (value as Generator).throw === 'function' &&
    (Symbol.iterator in value || Symbol.asyncIterator in value)
  )
}

/** What a generator dependency provides: its first yielded value and the cleanup that resumes it. */
export interface Started {
  readonly value: unknown
  readonly cleanup: Cleanup
}

/**
 * Start a generator dependency up to its `yield`: synchronously for a generator, as a promise for an
 * async one. `undefined` when the result is not a generator.
 */
export function startGenerator(
  dependency: Dependency,
  result: unknown,
): Started | Promise<Started> | undefined {
  if (!isGenerator(result)) return undefined
  const generator = result
  const started = (first: IteratorResult<unknown>): Started => {
    if (first.done)
      throw new TypeError(`dependency "${dependency.name}" returned without yielding a value`)
    return {
      value: first.value,
      cleanup: (error) => finishGenerator(generator, error, dependency.name),
    }
  }
  const first = generator.next()
  return isThenable(first) ? Promise.resolve(first).then(started) : started(first)
}

/**
 * Run cleanups in reverse order of set-up. Each sees the request's error; the first new error a
 * cleanup raises is returned (one re-raising the error it was given is not a new one).
 */
export async function runCleanups(list: readonly Cleanup[], error: unknown): Promise<unknown> {
  let raised: unknown
  for (let i = list.length - 1; i >= 0; i--) {
    try {
      await list[i]?.(error)
    } catch (thrown) {
      if (thrown !== error && raised === undefined) raised = thrown ?? new Error('undefined thrown')
    }
  }
  return raised
}

/**
 * Resume a generator after the response: throw the request's error into it so `try/catch/finally`
 * around `yield` sees it (as FastAPI does), or let it run to the end. One that yields again is
 * closed (its `finally` runs) and its cleanup fails, as Python's contextlib says "generator didn't
 * stop": a second `yield` is a mistake, and its code after it would never run.
 */
async function finishGenerator(
  generator: Generator | AsyncGenerator,
  error: unknown,
  name: string,
): Promise<void> {
  const after = error === undefined ? await generator.next() : await generator.throw(error)
  if (after.done) return
  await generator.return(undefined)
  throw new TypeError(`dependency "${name}" yielded more than once`, { cause: error })
}

/** The cleanup of a value that implements `Symbol.asyncDispose` or `Symbol.dispose`. */
export function cleanupOf(value: unknown): Cleanup | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const asyncDispose = (value as { [Symbol.asyncDispose]?: () => unknown })[Symbol.asyncDispose]
  if (typeof asyncDispose === 'function') return () => asyncDispose.call(value)
  const dispose = (value as { [Symbol.dispose]?: () => unknown })[Symbol.dispose]
  if (typeof dispose === 'function') return () => dispose.call(value)
  return undefined
}
