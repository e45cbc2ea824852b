import { Gatehouse, Path } from 'gatehouse'
import { describe, expect, test } from 'vitest'
import * as z from 'zod'

// Set-up mistakes that could only fail per request (or never be used) are refused at registration.
describe('set-up mistakes throw at registration, naming the route', () => {
  test.each([204, 304])('status %d with a response model', (status) => {
    const app = new Gatehouse()
    expect(() =>
      app.delete('/items', { status, response: z.object({ ok: z.boolean() }) }, () => ({ ok: true })),
    ).toThrow(`DELETE /items: \`status: ${status}\` has no body, so it takes no \`response\` model`)
    app.delete('/other', { status }, () => undefined)
  })

  test.each([
    ['optional', z.string().optional()],
    ['default', z.number().default(1)],
  ])('a Path() schema with .%s()', (_kind, schema) => {
    const app = new Gatehouse()
    expect(() => app.get('/items/{id}', { inputs: { id: Path(schema) } }, () => 'never')).toThrow(
      'GET /items/{id}: Path input "id" is always required: remove its .optional() or .default()',
    )
  })
})
