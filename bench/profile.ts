import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

// `npx tsx bench/profile.ts [file.cpuprofile…]`: where a server profiled with `BENCH_PROFILE=1`
// spent its CPU (self time, by function and by group). Default: every profile in bench/results.

interface CallFrame {
  functionName: string
  url: string
  lineNumber: number
}

interface Profile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}

const repo = pathToFileURL(fileURLToPath(new URL('..', import.meta.url))).href
/** A URL inside the repository, without the repository's own prefix; '' for anything else. */
const local = (url: string) => (url.startsWith(repo) ? url.slice(repo.length) : '')
const JSON_BUILTINS = new Set(['parse', 'stringify', 'JSONParse', 'JSONStringify'])
// Native functions that write to or read from sockets.
const SOCKET_NATIVES = new Set(['writev', 'writeUtf8String', 'writeBuffer', 'writeLatin1String'])

/** The part of the stack a frame belongs to; the first rule that matches wins. */
const groups: [name: string, test: (frame: CallFrame) => boolean][] = [
  ['idle', (f) => f.functionName === '(idle)'],
  ['GC', (f) => f.functionName === '(garbage collector)'],
  ['hono / node-server', (f) => /\/node_modules\/(hono|@hono\/node-server)\//.test(f.url)],
  ['zod', (f) => f.url.includes('/node_modules/zod/')],
  ['jose / crypto', (f) => /\/node_modules\/jose\/|^node:(internal\/)?crypto/.test(f.url)],
  ['JSON', (f) => f.url === '' && JSON_BUILTINS.has(f.functionName)],
  [
    'tutorial app + SQLite',
    (f) =>
      /^(build\/)?examples\//.test(local(f.url)) || f.url.includes('/node_modules/better-sqlite3/'),
  ],
  ['gatehouse core', (f) => /^(src|dist)\//.test(local(f.url))],
  ['bench harness', (f) => /^(build\/)?bench\//.test(local(f.url))],
  [
    'node http / net / streams',
    (f) =>
      /^node:(internal\/)?(http|_http|net|stream|streams)/.test(f.url) ||
      (f.url === '' && SOCKET_NATIVES.has(f.functionName)),
  ],
  ['node other', (f) => f.url.startsWith('node:')],
  ['other (V8, native, deps)', () => true],
]

const groupOf = (frame: CallFrame) => groups.find(([, test]) => test(frame))?.[0] ?? 'other'

function where(frame: CallFrame): string {
  const url = frame.url.startsWith(repo) ? frame.url.slice(repo.length) : frame.url
  const short = url.replace(/^.*\/node_modules\//, '')
  if (!short) return '(native)'
  // tsx compiles TypeScript, so line numbers there point into its output: leave them out.
  return short.endsWith('.ts') ? short : `${short}:${frame.lineNumber + 1}`
}

/** Loading and compiling modules: start-up, not serving. */
const isStartUp = (frame: CallFrame) => frame.url.startsWith('node:internal/modules/')

async function summarise(file: string): Promise<void> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]))
  const parents = new Map<number, number>()
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parents.set(child, node.id)
  const startUp = (id: number) => {
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const frame = frames.get(at)
      if (frame && isStartUp(frame)) return true
    }
    return false
  }
  const byGroup = new Map<string, number>()
  const byFunction = new Map<string, { frame: CallFrame; micros: number }>()
  profile.samples.forEach((id, i) => {
    const frame = frames.get(id)
    const micros = profile.timeDeltas[i] ?? 0
    if (!frame) return
    const group = startUp(id) ? 'start-up (module loading)' : groupOf(frame)
    byGroup.set(group, (byGroup.get(group) ?? 0) + micros)
    if (group === 'idle' || group.startsWith('start-up')) return
    const key = `${frame.functionName}@${frame.url}:${frame.lineNumber}`
    const entry = byFunction.get(key) ?? { frame, micros: 0 }
    entry.micros += micros
    byFunction.set(key, entry)
  })
  const serving = (group: string) => group !== 'idle' && !group.startsWith('start-up')
  const busy = [...byGroup].reduce((sum, [group, us]) => (serving(group) ? sum + us : sum), 0)
  const startUpMicros = [...byGroup].find(([group]) => group.startsWith('start-up'))?.[1] ?? 0
  const pct = (micros: number) => `${((100 * micros) / busy).toFixed(1).padStart(5)}%`
  console.log(
    `\n${path.basename(file)}: ${(busy / 1e6).toFixed(1)} s busy serving ` +
      `(+${(startUpMicros / 1e6).toFixed(1)} s loading modules); self time, % of busy`,
  )
  for (const [group, micros] of [...byGroup].sort((a, b) => b[1] - a[1]))
    if (serving(group)) console.log(`  ${pct(micros)}  ${group}`)
  console.log('  top functions:')
  const top = [...byFunction.values()].sort((a, b) => b.micros - a.micros).slice(0, 20)
  for (const { frame, micros } of top)
    console.log(
      `  ${pct(micros)}  ${(frame.functionName || '(anonymous)').padEnd(28)} ` +
        `${groupOf(frame).padEnd(26)} ${where(frame)}`,
    )
}

const results = fileURLToPath(new URL('./results/', import.meta.url))
const files = process.argv.slice(2)
if (files.length === 0)
  for (const name of await readdir(results))
    if (name.endsWith('.cpuprofile')) files.push(path.join(results, name))
if (files.length === 0) console.log('no profiles: run `BENCH_PROFILE=1 npm run bench` first')
for (const file of files) await summarise(file)
