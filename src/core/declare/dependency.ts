import type * as z4 from 'zod/v4/core'
import { isScopeToken } from '../errors/challenge-params.js'
import type { BackgroundTasks } from '../run/background-tasks.js'
import type { ResponseParameter } from '../run/response-parameter.js'
import type { InputSource, Schema } from './inputs.js'
import type { SecurityScheme } from './security-scheme.js'
import type { SecurityScopes } from './security-scopes.js'

/** What may stand as a value in an inputs object. */
export type InputLike =
  | InputSource<unknown>
  | Schema
  | typeof Request
  | typeof Response
  | typeof SecurityScopes
  | typeof BackgroundTasks

/** An inputs declaration: each key becomes a property of the handler's argument. */
export type Inputs = { readonly [key: string]: InputLike }

/** The value an input source resolves to. */
export type InputValue<S> = S extends typeof SecurityScopes
  ? SecurityScopes
  : S extends typeof BackgroundTasks
    ? BackgroundTasks
    : S extends typeof Request
      ? Request
      : S extends typeof Response
        ? ResponseParameter
        : S extends InputSource<infer T>
          ? T
          : S extends z4.$ZodType
            ? z4.output<S>
            : never

/** The handler argument for an inputs declaration. */
export type Resolve<I> = { -readonly [K in keyof I]: InputValue<I[K]> }

/** The value a dependency function provides: awaited, or the value a generator yields. */
export type Provided<R> =
  R extends Generator<infer Y, unknown, unknown>
    ? Y
    : R extends AsyncGenerator<infer Y, unknown, unknown>
      ? Y
      : Awaited<R>

export interface DependencyOptions {
  /** Shown in errors and logs; defaults to the function's name. */
  name?: string | undefined
  /**
   * When the code after `yield` (or a disposable value's disposal) runs: `'request'` (default)
   * after a successful response has been written, its last byte included, and before an error
   * is answered; `'function'` right after the handler returns, before the response is serialized
   * (FastAPI's `scope="function"`).
   */
  scope?: 'request' | 'function' | undefined
}

/**
 * A reusable dependency: declared inputs plus a function computing a value from them. Use it as an
 * input anywhere (bare, in `Depends`, in `Security`, or in `dependencies: [...]`).
 */
export interface Dependency<T = unknown, I extends Inputs = Inputs> extends InputSource<T> {
  readonly '~gatehouse': 'dependency'
  readonly inputs: I
  /** Method syntax on purpose: it keeps `Dependency<T, { q: … }>` assignable to `Dependable<T>`. */
  fn(inputs: Resolve<I>): unknown
  readonly name: string
  /** When its cleanup runs; see {@link DependencyOptions.scope}. */
  readonly scope: 'request' | 'function'
}

/**
 * Declare a dependency. The function may be sync or async; a (async) generator function yields its
 * value once and its code after `yield` runs as cleanup after the response (on an error, before
 * its answer, seeing it), in reverse order of set-up (FastAPI's dependencies with `yield`). A value that implements
 * `Symbol.asyncDispose`/`Symbol.dispose` is disposed the same way.
 * @example
 * const getDB = dependency({}, async function* () {
 *   const db = await pool.connect()
 *   try { yield db } finally { db.release() }
 * })
 */
export function dependency<const I extends Inputs, R>(
  inputs: I,
  fn: (inputs: Resolve<I>) => R,
  options: DependencyOptions = {},
): Dependency<Provided<R>, I> {
  if (typeof fn !== 'function') throw new TypeError('dependency(): `fn` must be a function')
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs))
    throw new TypeError('dependency(): `inputs` must be an object')
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError('dependency(): the third argument is an options object: { name, scope }')
  for (const key of Object.keys(options))
    if (key !== 'name' && key !== 'scope')
      throw new TypeError(`dependency(): unknown option \`${key}\` (known: name, scope)`)
  if (options.name !== undefined && typeof options.name !== 'string')
    throw new TypeError('dependency(): `name` must be a string')
  const scope = options.scope ?? 'request'
  if (scope !== 'request' && scope !== 'function')
    throw new TypeError('dependency(): `scope` must be "request" or "function"')
  return {
    '~gatehouse': 'dependency',
    inputs,
    fn: fn as (inputs: Resolve<I>) => unknown,
    name: options.name ?? (fn.name || 'anonymous'),
    scope,
  }
}

/** Something `Depends`/`Security` can wrap: a dependency or a security scheme. */
export type Dependable<T = unknown> = Dependency<T, Inputs> | SecurityScheme<T>

/**
 * The value a dependable gives. `Depends`/`Security` infer the whole argument and read its value
 * here: inferring `T` of `Dependable<T>` instead made a scheme built inside the call
 * (`Security(new OAuth2PasswordBearer({ tokenUrl }), …)`) take `boolean` for its `autoError`
 * parameter rather than its default `true`, so a required token was typed `string | undefined`.
 */
export type DependableValue<D> = 0 extends 1 & D
  ? // `Depends<any>(dep)`, as code ported from JavaScript writes it: `any`, as it was.
    // biome-ignore lint/suspicious/noExplicitAny: the value of an `any` dependable is `any`
    any
  : D extends { readonly '~types'?: { readonly output: infer T } }
    ? T
    : never

export interface DependsInput<T = unknown> extends InputSource<T> {
  readonly '~gatehouse': 'depends'
  readonly dependency: Dependable<T>
  readonly useCache: boolean
}

/**
 * Use a dependency with options. `useCache: false` runs it again even if another input of the same
 * request already ran it.
 * @example { user: Depends(getCurrentUser, { useCache: false }) }
 */
export function Depends<D extends Dependable>(
  dep: D,
  options?: { useCache?: boolean | undefined },
): DependsInput<DependableValue<D>>
/** With the value's type given: `Depends<User>(getCurrentUser)`. */
export function Depends<T>(
  dep: Dependable<T>,
  options?: { useCache?: boolean | undefined },
): DependsInput<T>
export function Depends(
  dep: Dependable,
  options: { useCache?: boolean | undefined } = {},
): DependsInput {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError('Depends(): the second argument is an options object: { useCache }')
  for (const key of Object.keys(options))
    if (key !== 'useCache')
      throw new TypeError(
        key === 'scopes'
          ? 'Depends(): `scopes` belongs to Security(dep, { scopes }), which requires them'
          : `Depends(): unknown option \`${key}\` (known: useCache)`,
      )
  if (options.useCache !== undefined && typeof options.useCache !== 'boolean')
    throw new TypeError('Depends(): `useCache` must be a boolean')
  return {
    '~gatehouse': 'depends',
    dependency: dep,
    useCache: options.useCache ?? true,
  }
}

export interface SecurityInput<T = unknown> extends InputSource<T> {
  readonly '~gatehouse': 'security'
  readonly dependency: Dependable<T>
  readonly scopes: readonly string[]
  readonly useCache: boolean
}

/**
 * Use a dependency or security scheme and require OAuth2 scopes. The scopes accumulate down the
 * tree: the dependency and everything below it see them through `SecurityScopes`, and the route's
 * OpenAPI `security` lists them.
 * @example { user: Security(getCurrentActiveUser, { scopes: ['items'] }) }
 */
export function Security<D extends Dependable>(
  dep: D,
  options?: { scopes?: readonly string[] | undefined; useCache?: boolean | undefined },
): SecurityInput<DependableValue<D>>
/** With the value's type given: `Security<User>(getCurrentUser, { scopes: ['me'] })`. */
export function Security<T>(
  dep: Dependable<T>,
  options?: { scopes?: readonly string[] | undefined; useCache?: boolean | undefined },
): SecurityInput<T>
export function Security(
  dep: Dependable,
  options: { scopes?: readonly string[] | undefined; useCache?: boolean | undefined } = {},
): SecurityInput {
  // `Security(dep, ['read'])` (FastAPI's `Security(dep, scopes=[…])` by position) would otherwise
  // require no scope at all: the one mistake here that silently opens a route.
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new TypeError(
      'Security(): the second argument is an options object: Security(dep, { scopes: ["read"] })',
    )
  for (const key of Object.keys(options))
    if (key !== 'scopes' && key !== 'useCache')
      throw new TypeError(`Security(): unknown option \`${key}\` (known: scopes, useCache)`)
  const scopes = options.scopes ?? []
  if (!Array.isArray(scopes))
    throw new TypeError('Security(): `scopes` must be a list of scope names')
  for (const scope of scopes) {
    // They are sent in `WWW-Authenticate: Bearer scope="…"` (RFC 6750 §3) and must parse there.
    if (!isScopeToken(scope))
      throw new TypeError(
        `Security(): \`scopes\` entry ${typeof scope === 'string' ? JSON.stringify(scope) : String(scope)} is not an RFC 6749 scope-token (a non-empty string of printable ASCII without spaces, " or \\)`,
      )
  }
  if (options.useCache !== undefined && typeof options.useCache !== 'boolean')
    throw new TypeError('Security(): `useCache` must be a boolean')
  return {
    '~gatehouse': 'security',
    dependency: dep,
    scopes: Object.freeze([...scopes]),
    useCache: options.useCache ?? true,
  }
}
