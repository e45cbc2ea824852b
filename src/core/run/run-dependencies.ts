import type { Bindings, Plan } from '../compile/plan.js'
import type { RequestView } from './request-view.js'

/** Undo work a dependency set up; receives the request's error, if any. */
export type Cleanup = (error: unknown) => unknown

/** Where set-up registers cleanups: after the response, or right after the handler returns. */
export interface Cleanups {
  readonly request: Cleanup[]
  readonly function: Cleanup[]
}

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

/**
 * Steps 2 and 3 of a request: read credentials with each security scheme, then run the dependencies
 * in plan order. Set-up of generator dependencies and disposable values registers cleanups in the
 * list of the dependency's scope.
 */
export async function runDependencies(
  plan: Plan,
  view: RequestView,
  values: unknown[],
  cleanups: Cleanups,
): Promise<void> {
  for (const { slot, scheme } of plan.schemes) {
    const credentials = scheme.extract(view)
    values[slot] = isThenable(credentials) ? await credentials : credentials
  }
  for (const { slot, dependency, args } of plan.dependencies) {
    let result = dependency.fn(bindArgs(args, values))
    if (isThenable(result)) result = await result
    const list = dependency.scope === 'function' ? cleanups.function : cleanups.request
    if (isGenerator(result)) {
      const generator = result
      const first = await generator.next()
      if (first.done)
        throw new TypeError(`dependency "${dependency.name}" returned without yielding a value`)
      values[slot] = first.value
      list.push((error) => finishGenerator(generator, error))
      continue
    }
    values[slot] = result
    const disposer = disposerOf(result)
    if (disposer) list.push(disposer)
  }
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
 * around `yield` sees it (as FastAPI does), or let it run to the end.
 */
async function finishGenerator(
  generator: Generator | AsyncGenerator,
  error: unknown,
): Promise<void> {
  if (error === undefined) {
    const after = await generator.next()
    if (!after.done) await generator.return(undefined)
    return
  }
  await generator.throw(error)
}

function disposerOf(value: unknown): Cleanup | undefined {
  if (value === null || typeof value !== 'object') return undefined
  const asyncDispose = (value as { [Symbol.asyncDispose]?: () => unknown })[Symbol.asyncDispose]
  if (typeof asyncDispose === 'function') return () => asyncDispose.call(value)
  const dispose = (value as { [Symbol.dispose]?: () => unknown })[Symbol.dispose]
  if (typeof dispose === 'function') return () => dispose.call(value)
  return undefined
}
