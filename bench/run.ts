import { plannedSeconds, readConfig } from './lib/config.js'
import { type Measurement, measure } from './lib/load.js'
import {
  describeMachine,
  formatTable,
  type ResultRow,
  summarise,
  writeResults,
} from './lib/report.js'
import type { Scenario } from './lib/scenario.js'
import { type ServerProcess, startServer } from './lib/server-process.js'
import { verifySameAnswers } from './lib/verify.js'
import { scenarios } from './scenarios/index.js'

// `npm run bench [scenario…]`: every scenario by default. Settings come from BENCH_* variables.
const config = readConfig()
const wanted = process.argv.slice(2)
const unknown = wanted.filter((name) => !scenarios.some((scenario) => scenario.name === name))
if (unknown.length > 0) {
  console.error(
    `unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`,
  )
  process.exit(2)
}
const chosen = scenarios.filter((scenario) => wanted.length === 0 || wanted.includes(scenario.name))
const machine = describeMachine()
const planned = chosen.reduce(
  (sum, scenario) => sum + plannedSeconds(config, scenario.targets.length),
  0,
)

// A hung server or load generator must not hang CI: give up well past the planned time.
setTimeout(
  () => {
    console.error(`bench: still running after ${2 * planned + 60} s, giving up`)
    process.exit(1)
  },
  (2 * planned + 60) * 1000,
).unref()
process.on('SIGINT', () => process.exit(130))

console.log(
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}\n` +
    `${config.rounds} rounds x ${config.duration} s per target (+${config.warmup} s warm-up), ` +
    `${config.connections} connections, 127.0.0.1; about ${Math.ceil(planned)} s of load`,
)

async function runScenario(scenario: Scenario): Promise<ResultRow[]> {
  console.log(`\n${scenario.name}: ${scenario.description}`)
  console.log(`${scenario.request.method} ${scenario.request.path}`)
  const started = await Promise.allSettled(
    scenario.targets.map((target) => startServer(target, `${scenario.name}-${target.name}`)),
  )
  const servers = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  try {
    for (const result of started) if (result.status === 'rejected') throw result.reason
    await verifySameAnswers(scenario, servers)
    const samples = new Map<string, Measurement[]>(
      servers.map((server) => [server.target.name, []]),
    )
    // Alternate targets within every round so drift (thermal, noisy neighbours) hits all alike.
    for (let round = 1; round <= config.rounds; round++) {
      for (const server of servers) {
        const result = await measure(server, scenario.request, config)
        samples.get(server.target.name)?.push(result)
        console.log(
          `  round ${round}/${config.rounds}  ${server.target.name.padEnd(12)} ` +
            `${Math.round(result.rps).toLocaleString('en-US').padStart(8)} req/s`,
        )
      }
    }
    const rss = new Map<string, number>()
    for (const server of servers) rss.set(server.target.name, (await server.stats()).rssBytes)
    const rows = summarise(scenario.name, scenario.baseline, samples, rss)
    console.log(`\n${formatTable(rows)}`)
    const other = Math.max(...rows.map((row) => row.other_cpu_pct))
    if (other > 15)
      console.log(
        `note: other processes used up to ${other}% of a core while measuring; expect noise`,
      )
    return rows
  } finally {
    await Promise.all(servers.map((server: ServerProcess) => server.stop()))
  }
}

try {
  const rows: ResultRow[] = []
  for (const scenario of chosen) rows.push(...(await runScenario(scenario)))
  const file = new URL('./results/latest.json', import.meta.url)
  await writeResults(file, machine, config, rows)
  console.log(`\nwrote ${file.pathname}`)
} catch (error) {
  console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
