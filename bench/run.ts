import { readConfig } from './lib/config.js'
import { createFixture } from './lib/fixture.js'
import { setUpPinning } from './lib/pinning.js'
import { describeMachine, formatTable, type ResultRow, writeResults } from './lib/report.js'
import type { RunContext } from './lib/scenario.js'
import { scenarios } from './scenarios/index.js'
import { loginSummary } from './scenarios/logins.js'
import { tokensLines, tokensSummary } from './scenarios/tokens-summary.js'

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
const planned = chosen.reduce((sum, scenario) => sum + scenario.plannedSeconds(config), 0)

// A hung server or load generator must not hang CI: give up well past the planned time.
setTimeout(
  () => {
    console.error(`bench: still running after ${Math.round(2 * planned + 60)} s, giving up`)
    process.exit(1)
  },
  (2 * planned + 60) * 1000,
).unref()
process.on('SIGINT', () => process.exit(130))

const pinning = setUpPinning()
const fixture = createFixture(pinning)
process.on('exit', () => fixture.cleanup())

console.log(
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, load average ${machine.loadavg_1m}\n` +
    `${config.rounds} rounds x ${config.duration} s per target (+${config.warmup} s warm-up), ` +
    `${config.connections} connections, 127.0.0.1; about ${Math.ceil(planned)} s of load\n` +
    pinning.description,
)

const rows: ResultRow[] = []
const context: RunContext = { config, pinning, fixture, rows, log: (line) => console.log(line) }
const started = performance.now()
try {
  for (const scenario of chosen) {
    console.log(`\n${scenario.name}: ${scenario.description}`)
    rows.push(...(await scenario.run(context)))
  }
  console.log(`\n${formatTable(rows)}`)
  const logins = loginSummary(rows)
  if (logins)
    console.log(
      `\nlogins/s (${logins.connections} connections): bcrypt ${logins.bcrypt_per_s}, ` +
        `argon2id ${logins.argon2id_per_s} (argon2id/bcrypt ${logins.argon2id_over_bcrypt}x)`,
    )
  const memory = rows.find((row) => row.scenario === 'memory')
  if (memory)
    console.log(
      `memory: tutorial app RSS ${memory.rss_idle_mb} MB idle, ${memory.rss_mb} MB after ` +
        `${memory.requests?.toLocaleString('en-US')} GET ${memory.path}`,
    )
  const tokens = tokensSummary(rows)
  if (tokens) console.log(tokensLines(tokens).join('\n'))
  console.log(pinning.description)
  const other = Math.max(...rows.map((row) => row.other_cpu_pct))
  if (other > 15)
    console.log(
      `note: other processes used up to ${other}% of a core while measuring; expect noise`,
    )
  const file = new URL('./results/latest.json', import.meta.url)
  const summary = {
    ...(logins ? { logins } : {}),
    ...(tokens ? { tokens } : {}),
    ...(memory
      ? {
          memory: {
            idle_rss_mb: memory.rss_idle_mb,
            rss_mb: memory.rss_mb,
            requests: memory.requests,
          },
        }
      : {}),
    elapsed_s: Math.round((performance.now() - started) / 1000),
  }
  await writeResults(file, { machine, config, pinning: pinning.description, rows, summary })
  console.log(`\nwrote ${file.pathname} (${summary.elapsed_s} s)`)
} catch (error) {
  console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
