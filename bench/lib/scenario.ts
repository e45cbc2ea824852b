import type { BenchConfig } from './config.js'
import type { Fixture } from './fixture.js'
import type { Pinning } from './pinning.js'
import type { ResultRow } from './report.js'

/** One server implementing a scenario's endpoints, run in its own child process. */
export interface Target {
  /** Short name shown in the table: `raw`, `hono`, `gatehouse`, … */
  readonly name: string
  /** The server module, relative to `bench/`; it must call `announce()` from `lib/listen.ts`. */
  readonly server: string
  /** Run on the server CPU when pinning is on (the default); `false` lets it use every CPU. */
  readonly pinned?: boolean
  /** Drop the server's stdout (a start-up banner, say). */
  readonly quiet?: boolean
}

/** A request every measured target answers, and that load is generated with. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST'
  /** Path and query, e.g. `/items/?skip=5`. */
  readonly path: string
  readonly headers?: Readonly<Record<string, string>>
  readonly body?: string
  /** The status every target must answer with before it is measured. */
  readonly expectStatus: number
}

/** What a run shares with every scenario. */
export interface RunContext {
  readonly config: BenchConfig
  readonly pinning: Pinning
  /** Temporary databases, the shared secret and access token of the tutorial-app scenarios. */
  readonly fixture: Fixture
  /** Rows of the scenarios that ran before, so later ones can relate to their baselines. */
  readonly rows: readonly ResultRow[]
  /** Prints one progress line. */
  log(line: string): void
}

/** A benchmark scenario: `npm run bench <name>` runs it. */
export interface Scenario {
  readonly name: string
  readonly description: string
  /** Seconds of load it generates with these settings, for the estimate and the time guard. */
  plannedSeconds(config: BenchConfig): number
  run(context: RunContext): Promise<ResultRow[]>
}
