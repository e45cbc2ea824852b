import { type Measurement, measure } from './load.js'
import { megabytes, type ResultRow, summarise } from './report.js'
import type { RequestSpec, RunContext, Scenario, Target } from './scenario.js'
import { type ServerProcess, startServer } from './server-process.js'
import { verifySameAnswers } from './verify.js'

/** A request measured on some or all of a comparison's targets. */
export interface Measured {
  /** The `scenario` of its rows in the results: `items`, `users-me`, `status`, … */
  readonly name: string
  readonly request: RequestSpec
  /** The targets measured on it (the baseline among them); every target by default. */
  readonly targets?: readonly string[]
}

/** What a comparison needs before its servers start. */
export interface Prepared {
  /** Added to every server's environment. */
  readonly env?: Readonly<Record<string, string>>
  /** Added to every request (an access token, say). */
  readonly headers?: Readonly<Record<string, string>>
}

/**
 * Servers that answer the same requests alike, measured in turn: after a check that every target
 * gives the same status, content type and body, each round loads every target once per request, so
 * drift (thermal, noisy neighbours) hits all of them alike. Ratios are to `baseline`.
 */
export interface ComparisonSpec {
  readonly name: string
  readonly description: string
  readonly targets: readonly Target[]
  /** Name of the target the others are compared with. */
  readonly baseline: string
  readonly measured: readonly Measured[]
  prepare?(context: RunContext): Promise<Prepared>
}

/** Check a comparison's shape once, at start-up, so a typo fails before any server starts. */
export function defineComparison(spec: ComparisonSpec): Scenario {
  const names = spec.targets.map((target) => target.name)
  const fail = (message: string) => {
    throw new TypeError(`scenario "${spec.name}": ${message}`)
  }
  if (new Set(names).size !== names.length) fail('target names must be unique')
  if (!names.includes(spec.baseline)) fail('`baseline` must name one of its targets')
  for (const { name, targets = names } of spec.measured) {
    if (targets.some((target) => !names.includes(target)))
      fail(`"${name}" measures a target that is not declared`)
    if (!targets.includes(spec.baseline)) fail(`"${name}" must measure the baseline`)
  }
  const measuredOn = (measured: Measured) => measured.targets ?? names

  return {
    name: spec.name,
    description: spec.description,
    plannedSeconds: (config) =>
      config.rounds *
      (config.duration + config.warmup) *
      spec.measured.reduce((sum, measured) => sum + measuredOn(measured).length, 0),
    async run(context) {
      const { config, pinning, log } = context
      const prepared = (await spec.prepare?.(context)) ?? {}
      const idle = new Map<string, number>()
      const started = await Promise.allSettled(
        spec.targets.map(async (target) => {
          const server = await startServer(target, `${spec.name}-${target.name}`, {
            pinning,
            ...(prepared.env ? { env: prepared.env } : {}),
          })
          idle.set(target.name, (await server.stats()).rssBytes)
          return server
        }),
      )
      const servers = started.flatMap((result) =>
        result.status === 'fulfilled' ? [result.value] : [],
      )
      try {
        for (const result of started) if (result.status === 'rejected') throw result.reason
        const plan = spec.measured.map((measured) => ({
          measured,
          request: {
            ...measured.request,
            headers: { ...measured.request.headers, ...prepared.headers },
          },
          servers: servers.filter((server) => measuredOn(measured).includes(server.target.name)),
          samples: new Map<string, Measurement[]>(
            measuredOn(measured).map((target) => [target, []]),
          ),
        }))
        for (const { measured, request, servers: on } of plan)
          await verifySameAnswers(`${spec.name}/${measured.name}`, spec.baseline, request, on)
        for (let round = 1; round <= config.rounds; round++) {
          for (const { measured, request, servers: on, samples } of plan) {
            for (const server of on) {
              const result = await measure(server, request, config)
              samples.get(server.target.name)?.push(result)
              log(
                `  round ${round}/${config.rounds}  ${measured.name.padEnd(9)} ` +
                  `${server.target.name.padEnd(18)}` +
                  `${Math.round(result.rps).toLocaleString('en-US').padStart(8)} req/s`,
              )
            }
          }
        }
        const rss = new Map<string, number>()
        for (const server of servers) rss.set(server.target.name, (await server.stats()).rssBytes)
        return plan.flatMap(({ measured, request, samples }): ResultRow[] =>
          summarise(measured.name, spec.baseline, samples, (name) => ({
            rss_mb: megabytes(rss.get(name) ?? Number.NaN),
            rss_idle_mb: megabytes(idle.get(name) ?? Number.NaN),
            method: request.method,
            path: request.path,
            pinned: pinning.active && spec.targets.find((t) => t.name === name)?.pinned !== false,
          })),
        )
      } finally {
        await Promise.all(servers.map((server: ServerProcess) => server.stop()))
      }
    },
  }
}
