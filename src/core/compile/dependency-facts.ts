import type { Dependable, Dependency } from '../declare/dependency.js'
import { isSchemeReader, type SecurityScheme } from '../declare/security-scheme.js'
import { classifyInput } from './classify.js'
import { mergeScopes } from './scopes.js'

/** Replacements for dependencies and schemes (`app.dependencyOverrides`), applied while planning. */
export type Overrides = ReadonlyMap<Dependable, Dependable>

/** A scheme required somewhere below a dependency, with the scopes added on the way down to it. */
export interface RelativeRequirement {
  readonly scheme: SecurityScheme
  readonly scopes: readonly string[]
}

interface Facts {
  /** Whether the value can depend on the scope set: it or a descendant reads `SecurityScopes`. */
  usesScopes: boolean
  /** Every scheme below, scopes relative to the dependency (inherited scopes merge in front). */
  requirements: RelativeRequirement[]
}

const NO_PATH_PARAMS: ReadonlySet<string> = new Set()

/**
 * Facts about a dependency's subtree, worked out once per dependency (per set of overrides): they
 * let the plan reuse a cached dependency's slot without walking its subtree again, while still
 * documenting every scheme below it with the scopes of this use.
 */
export class DependencyFacts {
  readonly #facts = new WeakMap<Dependency, Facts>()
  readonly #overrides: Overrides | undefined

  constructor(overrides?: Overrides) {
    this.#overrides = overrides && overrides.size > 0 ? overrides : undefined
  }

  /** The replacement for `dep`, or `dep`. */
  resolve<D extends Dependable>(dep: D): Dependable {
    const overrides = this.#overrides
    if (overrides === undefined) return dep
    const replacement = overrides.get(dep)
    if (replacement !== undefined) return replacement
    if (isSchemeReader(dep)) {
      const inner = overrides.get(dep.reads)
      if (inner !== undefined) return dep.insteadOf(inner) as Dependable
    }
    return dep
  }

  /** Whether dependencies are replaced (a test's overrides): the tree is then not the declared one. */
  get overridden(): boolean {
    return this.#overrides !== undefined
  }

  usesScopes(dep: Dependency): boolean {
    return this.#of(dep, new Set()).usesScopes
  }

  requirements(dep: Dependency): readonly RelativeRequirement[] {
    return this.#of(dep, new Set()).requirements
  }

  #of(dep: Dependency, visiting: Set<Dependency>): Facts {
    const known = this.#facts.get(dep)
    if (known) return known
    // A cycle is reported by the plan with its whole chain; here it only must not loop.
    if (visiting.has(dep)) return { usesScopes: false, requirements: [] }
    visiting.add(dep)
    const facts: Facts = { usesScopes: false, requirements: [] }
    const add = (scheme: SecurityScheme, scopes: readonly string[]) => {
      const same = facts.requirements.find((r) => r.scheme === scheme)
      if (same) (same as { scopes: readonly string[] }).scopes = mergeScopes(same.scopes, scopes)
      else facts.requirements.push({ scheme, scopes })
    }
    for (const [key, source] of Object.entries(dep.inputs)) {
      let input: ReturnType<typeof classifyInput>
      try {
        input = classifyInput(key, source, NO_PATH_PARAMS)
      } catch {
        continue // reported by the plan, which knows the route
      }
      if (input.kind === 'security-scopes') facts.usesScopes = true
      if (input.kind !== 'scheme' && input.kind !== 'dependency') continue
      const target = this.resolve(input.kind === 'scheme' ? input.scheme : input.dependency)
      if (!isDependencyValue(target)) {
        add(target as SecurityScheme, input.scopes)
        continue
      }
      const inner = this.#of(target, visiting)
      if (inner.usesScopes) facts.usesScopes = true
      for (const requirement of inner.requirements)
        add(requirement.scheme, mergeScopes(input.scopes, requirement.scopes))
    }
    visiting.delete(dep)
    this.#facts.set(dep, facts)
    return facts
  }
}

function isDependencyValue(value: Dependable): value is Dependency {
  return (value as { '~gatehouse'?: unknown })['~gatehouse'] === 'dependency'
}

/** The facts of the tree as declared, shared by every plan made without overrides. */
export const declaredFacts = new DependencyFacts()
