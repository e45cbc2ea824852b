import { type ChildProcess, execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { killLeftovers, listeningURL, startScript } from './helpers/npm-script.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-readme-'))
let child: ChildProcess | undefined
afterAll(() => {
  if (child !== undefined) killLeftovers(child)
  rmSync(dir, { recursive: true, force: true })
})

/** The README's first console session of the tutorial: each `$ command` and the lines it prints. */
function session(): { command: string; output: string[] }[] {
  const section = readme.slice(readme.indexOf('## The OAuth2 scopes tutorial'))
  const block = /```console\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const steps: { command: string; output: string[] }[] = []
  for (const line of block.split('\n')) {
    if (line.startsWith('$ ')) steps.push({ command: line.slice(2), output: [] })
    else if (line.startsWith('    ') && steps.length > 0) {
      const last = steps[steps.length - 1] as { command: string }
      last.command += `\n${line}`
    } else if (line !== '') steps[steps.length - 1]?.output.push(line)
  }
  return steps
}

test('the README’s curl session against `npm start` prints what the README says', {
  timeout: 90_000,
}, async () => {
  const started = await startScript(
    'start',
    { PORT: '0', DATABASE_URL: join(dir, 'users.db') },
    listeningURL,
    60_000,
  )
  child = started.child
  const url = started.ready
  const steps = session()
  expect(steps.length).toBeGreaterThanOrEqual(4)
  // One shell for the whole session, so `TOKEN` set by the first command reaches the others.
  const marker = '@@gatehouse-step@@'
  const script = steps
    .map(
      ({ command }) => `${command.replaceAll('http://127.0.0.1:8000', url)}\necho; echo ${marker}`,
    )
    .join('\n')
  const printed = execFileSync('bash', ['-e', '-c', script], { encoding: 'utf8' })
    .split(`${marker}\n`)
    .map((part) => part.split('\n').filter((line) => line !== ''))
  steps.forEach((step, i) => {
    expect(printed[i], step.command).toEqual(step.output)
  })
})
