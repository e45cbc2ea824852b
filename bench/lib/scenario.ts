/** One server implementing a scenario's endpoint, run in its own child process. */
export interface Target {
  /** Short name shown in the table: `raw`, `hono`, `gatehouse`, … */
  readonly name: string
  /** The server module, relative to `bench/`; it must call `listen()` from `lib/listen.ts`. */
  readonly server: string
}

/** The single request every target of a scenario answers, and that load is generated with. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST'
  /** Path and query, e.g. `/items/?skip=5`. */
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** The status every target must answer with before it is measured. */
  readonly expectStatus: number
}

/**
 * A benchmark scenario: one request, several targets that must answer it identically (status,
 * content type and body), measured in alternation. Ratios are relative to `baseline`.
 */
export interface Scenario {
  readonly name: string
  readonly description: string
  readonly request: RequestSpec
  readonly targets: readonly Target[]
  /** Name of the target the others are compared with. */
  readonly baseline: string
}

/** Check a scenario's shape once, at start-up, so a typo fails before any server starts. */
export function defineScenario(scenario: Scenario): Scenario {
  const names = scenario.targets.map((target) => target.name)
  if (new Set(names).size !== names.length)
    throw new TypeError(`scenario "${scenario.name}": target names must be unique`)
  if (!names.includes(scenario.baseline))
    throw new TypeError(`scenario "${scenario.name}": \`baseline\` must name one of its targets`)
  return scenario
}
