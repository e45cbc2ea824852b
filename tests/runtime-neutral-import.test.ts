import { execFileSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { expect, test } from 'vitest'

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
// The built package, as a consumer imports it (the global set-up builds it before the tests).
const dist = new URL('../dist/index.js', import.meta.url).href

test("`import { Gatehouse } from 'gatehouse'` and app.fetch need no node: module and no native addon", () => {
  const output = execFileSync(
    process.execPath,
    ['--import', fixture('no-node-builtins.mjs'), fixture('use-without-node.mjs'), dist],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  )
  expect(JSON.parse(output)).toEqual({
    query: 200,
    body: 200,
    invalid: 422,
    me: 200,
    openapi: 200,
    docs: 200,
  })
})

test('the guard really blocks: importing node:fs under it fails', () => {
  expect(() =>
    execFileSync(
      process.execPath,
      [
        '--import',
        fixture('no-node-builtins.mjs'),
        '-e',
        "await import('node:fs')",
        '--input-type=module',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    ),
  ).toThrow(/blocked built-in module node:fs/)
})
