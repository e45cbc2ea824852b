import type { Dependable } from '../core/declare/dependency.js'

/**
 * `app.dependencyOverrides`: a `Map` from a dependency or security scheme to its replacement, as
 * FastAPI's dict. Every change re-plans the app's routes at once — so a replacement with a bad input
 * throws here, naming the route — and takes effect on the next request; an empty map costs nothing.
 * `set` is typed: the replacement must provide a value assignable to what the original provides
 * (the handlers were typed with it), so a test double may give a subtype but not another type.
 */
export class DependencyOverrides extends Map<Dependable, Dependable> {
  readonly #onChange: (() => void) | undefined

  constructor(onChange: () => void) {
    super()
    this.#onChange = onChange
  }

  // `R` rather than the parameter typed `Dependable<T>`: as a contextual type, that would make
  // `new APIKeyHeader({ name })` an `APIKeyHeader<boolean>` (from `autoError: boolean`), which
  // may give `undefined`.
  override set<T, R extends Dependable<NoInfer<T>>>(original: Dependable<T>, replacement: R): this {
    if (!isDependable(original) || !isDependable(replacement))
      throw new TypeError(
        'dependencyOverrides: keys and values must be dependencies (dependency(...)) or security schemes',
      )
    const had = super.has(original)
    const previous = super.get(original)
    super.set(original, replacement)
    this.#apply(() => (had ? super.set(original, previous as Dependable) : super.delete(original)))
    return this
  }

  override delete(original: Dependable): boolean {
    if (!super.has(original)) return false
    const previous = super.get(original) as Dependable
    super.delete(original)
    this.#apply(() => super.set(original, previous))
    return true
  }

  override clear(): void {
    if (this.size === 0) return
    const previous = [...this]
    super.clear()
    this.#apply(() => {
      for (const [key, value] of previous) super.set(key, value)
    })
  }

  /** Re-plan; when that fails, undo the change so the app keeps working, and rethrow. */
  #apply(undo: () => void): void {
    try {
      this.#onChange?.()
    } catch (error) {
      undo()
      this.#onChange?.()
      throw error
    }
  }
}

function isDependable(value: unknown): value is Dependable {
  if (typeof value !== 'object' || value === null) return false
  const brand = (value as { '~gatehouse'?: unknown })['~gatehouse']
  return brand === 'dependency' || brand === 'scheme'
}
