import { type Measurement, measure } from './load.js'
import { megabytes, type ResultRow, summarise } from './report.js'
import type { RequestSpec, RunContext, Scenario, Target } from './scenario.js'
import { startServer, withServer, withServers } from './server-process.js'
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
 * gives the same status, content type and body, each round starts every target in turn, alone on
 * its CPU, and loads it once per request, so drift (thermal, noisy neighbours) hits all of them
 * alike. Ratios are to `baseline`.
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
      const rss = new Map<string, number>()
      const start = (target: Target) =>
        startServer(target, `${spec.name}-${target.name}`, {
          pinning,
          ...(prepared.env ? { env: prepared.env } : {}),
        })
      const plan = spec.measured.map((measured) => ({
        measured,
        request: {
          ...measured.request,
          headers: { ...measured.request.headers, ...prepared.headers },
        },
        samples: new Map<string, Measurement[]>(measuredOn(measured).map((target) => [target, []])),
      }))
      // All at once for the idle memory and the check that they answer alike; then stopped.
      await withServers(spec.targets.map(start), async (servers) => {
        for (const server of servers) idle.set(server.target.name, (await server.stats()).rssBytes)
        for (const { measured, request } of plan)
          await verifySameAnswers(
            `${spec.name}/${measured.name}`,
            spec.baseline,
            request,
            servers.filter((server) => measuredOn(measured).includes(server.target.name)),
          )
      })
      // Measured alone: each target's server runs only while it is loaded, so no other server
      // (idle, but holding memory, timers and threads on the same CPU) sits beside it. Idle
      // neighbours were seen to cost one target up to 10% and another nothing, which skews ratios.
      for (let round = 1; round <= config.rounds; round++) {
        for (const target of spec.targets) {
          const on = plan.filter(({ measured }) => measuredOn(measured).includes(target.name))
          await withServer(start(target), async (server) => {
            for (const { measured, request, samples } of on) {
              const result = await measure(server, request, config)
              samples.get(target.name)?.push(result)
              log(
                `  round ${round}/${config.rounds}  ${measured.name.padEnd(9)} ` +
                  `${target.name.padEnd(18)}` +
                  `${Math.round(result.rps).toLocaleString('en-US').padStart(8)} req/s`,
              )
            }
            rss.set(target.name, (await server.stats()).rssBytes)
          })
        }
      }
      return plan.flatMap(({ measured, request, samples }): ResultRow[] =>
        summarise(measured.name, spec.baseline, samples, (name) => ({
          rss_mb: megabytes(rss.get(name) ?? Number.NaN),
          rss_idle_mb: megabytes(idle.get(name) ?? Number.NaN),
          method: request.method,
          path: request.path,
          pinned: pinning.active && spec.targets.find((t) => t.name === name)?.pinned !== false,
        })),
      )
    },
  }
}
