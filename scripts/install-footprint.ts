/**
 * What `npm install gatehouse zod` costs a consumer: packs this package as it would be published,
 * installs the tarball and zod into an empty project from the npm registry, and reports the size of
 * node_modules, the packages pulled, and any that would compile native code from source. Then it
 * starts an app from the installed package (no redoc, no SQLite driver) and loads its docs.
 *
 *   npm run footprint            # prints a JSON report; exits 1 over budget or if anything compiles
 */
import { execFileSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export interface FootprintReport {
  tarballBytes: number
  tarballFiles: number
  packages: string[]
  nodeModulesBytes: number
  /** Packages that would compile native code on install (a `binding.gyp`, or a build in an install script). */
  compiles: string[]
  /** Packages with any install script (compiling or not, e.g. swagger-ui-dist's telemetry). */
  installScripts: string[]
  smoke: { status: number; docs: number; redoc: number }
}

/** The budget the issue sets for a consumer install. */
export const BUDGET_BYTES = 40 * 1024 * 1024

const root = resolve(import.meta.dirname, '..')

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function sizeOf(path: string): number {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (stat === undefined) return 0
  if (!stat.isDirectory()) return stat.size
  let total = 0
  for (const entry of readdirSync(path)) total += sizeOf(join(path, entry))
  return total
}

function installedPackages(modules: string): string[] {
  const names: string[] = []
  for (const entry of readdirSync(modules)) {
    if (entry.startsWith('.')) continue
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(join(modules, entry))) names.push(`${entry}/${scoped}`)
    } else names.push(entry)
  }
  return names.sort()
}

function installScripts(modules: string, name: string): string[] {
  const manifest = JSON.parse(readFileSync(join(modules, name, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>
  }
  const scripts = manifest.scripts ?? {}
  return ['preinstall', 'install', 'postinstall'].flatMap((hook) => scripts[hook] ?? [])
}

function compilesOnInstall(modules: string, name: string): boolean {
  if (existsSync(join(modules, name, 'binding.gyp'))) return true
  return installScripts(modules, name).some((script) =>
    /gyp|prebuild|cmake|make\b|cargo|napi build/.test(script),
  )
}

const SMOKE = `
import { Gatehouse, Query, serve } from 'gatehouse'
import * as z from 'zod'
const app = new Gatehouse({ title: 'Footprint' })
app.get('/hello', { inputs: { name: Query(z.string().default('world')) } }, ({ name }) => ({ hello: name }))
const server = await serve(app, { port: 0, signals: false })
const answer = async (path) => (await fetch(server.url + path)).status
const status = await answer('/hello?name=x')
console.log(JSON.stringify({ status, docs: await answer('/docs'), redoc: await answer('/redoc') }))
await server.close()
`

export function measureFootprint(): FootprintReport {
  run('npm', ['run', '-s', 'build'], root)
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-footprint-'))
  try {
    const [packed] = JSON.parse(
      run('npm', ['pack', '--json', '--pack-destination', work], root),
    ) as {
      filename: string
      size: number
      entryCount: number
    }[]
    if (packed === undefined) throw new Error('npm pack produced nothing')
    const project = join(work, 'consumer')
    run('mkdir', ['-p', project], work)
    writeFileSync(
      join(project, 'package.json'),
      '{"name":"consumer","private":true,"type":"module"}\n',
    )
    run('npm', ['install', '--no-audit', '--no-fund', join(work, packed.filename), 'zod'], project)
    const modules = join(project, 'node_modules')
    const packages = installedPackages(modules)
    writeFileSync(join(project, 'smoke.mjs'), SMOKE)
    const smoke = JSON.parse(run('node', ['smoke.mjs'], project).trim()) as FootprintReport['smoke']
    return {
      tarballBytes: packed.size,
      tarballFiles: packed.entryCount,
      packages,
      nodeModulesBytes: sizeOf(modules),
      compiles: packages.filter((name) => compilesOnInstall(modules, name)),
      installScripts: packages.filter((name) => installScripts(modules, name).length > 0),
      smoke,
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

if (process.argv[1] === import.meta.filename) {
  const report = measureFootprint()
  console.log(
    JSON.stringify(
      { ...report, nodeModulesMB: +(report.nodeModulesBytes / 2 ** 20).toFixed(1) },
      null,
      2,
    ),
  )
  if (report.nodeModulesBytes > BUDGET_BYTES || report.compiles.length > 0) process.exitCode = 1
}
