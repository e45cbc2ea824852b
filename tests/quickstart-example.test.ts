import { readFileSync } from 'node:fs'
import { expect, test } from 'vitest'
import { app } from '../examples/quickstart/app.js'
import { describeEngines } from './helpers/http.js'
import { listeningURL, startScript, stopScript } from './helpers/npm-script.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

describeEngines('the README’s first app', app, (send) => {
  test('answers the item, a 404 and a 422', async () => {
    expect(await (await send('/items/1?q=x')).json()).toEqual({ id: 1, name: 'Foo (x)' })
    expect((await send('/items/2')).status).toBe(404)
    expect((await send('/items/one')).status).toBe(422)
    await expectValidOpenAPI(await (await send('/openapi.json')).json())
  })
})

test('the README quotes examples/quickstart as it is', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
  for (const file of ['app.ts', 'main.ts']) {
    const source = readFileSync(new URL(`../examples/quickstart/${file}`, import.meta.url), 'utf8')
    expect(readme).toContain(source.trim())
  }
})

test('npm run start:quickstart serves it', { timeout: 60_000 }, async () => {
  const { child, ready } = await startScript(
    'start:quickstart',
    { PORT: '0' },
    listeningURL,
    50_000,
  )
  try {
    expect(await (await fetch(`${ready}/items/1`)).json()).toEqual({ id: 1, name: 'Foo' })
  } finally {
    await stopScript(child)
  }
})
