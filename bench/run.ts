import { execFileSync } from 'node:child_process'
import { readConfig } from './lib/config.js'
import { createFixture } from './lib/fixture.js'
import { setUpPinning } from './lib/pinning.js'
import { readPreviousRows } from './lib/previous.js'
import { resultsMarkdown, writeReadmeResults } from './lib/readme.js'
import { describeMachine, formatTable, type ResultRow, writeResults } from './lib/report.js'
import type { RunContext } from './lib/scenario.js'
import { checkTargets } from './lib/targets.js'
import { scenarios } from './scenarios/index.js'
import { floodSummary } from './scenarios/login-flood.js'
import { timingSummary } from './scenarios/login-timing.js'
import { loginSummary } from './scenarios/logins.js'
import { tokensLines, tokensSummary } from './scenarios/tokens-summary.js'

// `npm run bench [scenario…]`: every scenario by default. Settings come from BENCH_* variables.
const config = readConfig()
// The servers run compiled, as `npm start` runs the tutorial.
execFileSync('npm', ['run', '-s', 'build:bench'], { stdio: 'inherit' })
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
  const timing = timingSummary(rows)
  if (timing)
    console.log(
      `login timing, median over a bcrypt user's: unknown user ${timing.fresh_unknown_over_bcrypt}x ` +
        `(fresh), ${timing.mixed_unknown_over_bcrypt}x (mixed store), argon2id user ` +
        `${timing.mixed_argon2id_over_bcrypt}x; within 10%: ${timing.within_10pct}`,
    )
  const flood = floodSummary(rows)
  if (flood)
    console.log(
      `login flood: GET p99 ${flood.worst_p99_ms} ms (< ${flood.bounds.p99_ms}), server RSS ` +
        `${flood.max_rss_mb} MB (< ${flood.bounds.rss_mb}), ${flood.failed_gets} failed GETs; ` +
        `within bounds: ${flood.within_bounds}`,
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
  // Scenarios not run this time keep their last rows, so the README always shows every scenario.
  const previous = await readPreviousRows(file)
  const ran = new Set(rows.map((row) => row.scenario))
  const allRows = [...previous.filter((row) => !ran.has(row.scenario)), ...rows]
  const summary = {
    ...(logins ? { logins } : {}),
    ...(timing ? { login_timing: timing } : {}),
    ...(flood ? { login_flood: flood } : {}),
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
  await writeResults(file, {
    machine,
    config,
    pinning: pinning.description,
    rows: allRows,
    summary,
  })
  const settings = `${config.rounds} rounds × ${config.duration} s, ${config.connections} connections, ${pinning.active ? 'pinned' : 'unpinned'}`
  const readme = new URL('../README.md', import.meta.url)
  const wrote = await writeReadmeResults(readme, resultsMarkdown(allRows, machine, settings))
  console.log(
    `\nwrote ${file.pathname}${wrote ? ' and the README table' : ''} (${summary.elapsed_s} s)`,
  )
  for (const { goal, result, met } of checkTargets(allRows))
    if (met !== undefined) console.log(`${met ? 'met    ' : 'NOT MET'}  ${goal}: ${result}`)
} catch (error) {
  console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
}
