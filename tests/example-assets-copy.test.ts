import { execFile } from 'node:child_process'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { expect, test } from 'vitest'

// Every `npm start` copies the examples' static folders into build/ (scripts/copy-example-assets.mjs),
// and the tests start many scripts at once: the copies must not trip over each other, nor rewrite
// files a running server serves when nothing changed.
const run = promisify(execFile)
const copy = () => run('node', ['scripts/copy-example-assets.mjs'])

function files(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
}

test('eight copies at once all succeed, and leave every asset whole and unchanged when current', async () => {
  await copy()
  const sources = readdirSync('examples')
    .map((example) => `examples/${example}/public`)
    .filter((folder) => statSync(folder, { throwIfNoEntry: false })?.isDirectory())
    .flatMap(files)
  expect(sources.length).toBeGreaterThan(0)
  const written = new Map(sources.map((source) => [source, statSync(`build/${source}`).mtimeMs]))

  const results = await Promise.allSettled(Array.from({ length: 8 }, copy))
  expect(results.filter((result) => result.status === 'rejected')).toEqual([])
  for (const source of sources) {
    expect(readFileSync(`build/${source}`).equals(readFileSync(source))).toBe(true)
    expect(statSync(`build/${source}`).mtimeMs).toBe(written.get(source))
  }
  expect(
    readdirSync('build/examples', { recursive: true }).filter((name) =>
      String(name).endsWith('.tmp'),
    ),
  ).toEqual([])
})
