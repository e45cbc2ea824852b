import {
  createPasswordHasher,
  Gatehouse,
  HTTPException,
  OAuth2PasswordRequestForm,
} from 'gatehouse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Send, transports } from './helpers/http.js'

// From FastAPI's OAuth2 scopes tutorial: a bcrypt hash of cost 12 (a fifth of a second or so).
const JOHNDOE = '$2b$12$EixZaYVK1fsbw1ZfbX3OXePaWxn96p36WQoeG6Lruj3vjPGga31lW'

// One worker and room for one waiting check: the third login at once finds the queue full.
const passwords = createPasswordHasher({ workers: 1, maxQueue: 1, storedHashes: [JOHNDOE] })
const users = new Map([['johndoe', JOHNDOE]])
const app = new Gatehouse()
app.post(
  '/token',
  { inputs: { form: OAuth2PasswordRequestForm }, bodyLimit: 16 * 1024 },
  async ({ form }) => {
    if (!(await passwords.verify(form.password, users.get(form.username))))
      throw new HTTPException(400, { detail: 'Incorrect username or password' })
    return { access_token: 'not-a-real-token', token_type: 'bearer' }
  },
)

describe.each(transports)('a login flood ($name)', (transport) => {
  let send: Send
  let close: () => Promise<void>
  beforeAll(async () => {
    ;({ send, close } = await transport.open(app))
    // The first unknown user has the decoys made (one hash per kind): not part of the flood.
    await passwords.verify('warm-up', undefined)
  })
  afterAll(() => close())

  const login = (username: string, password: string) =>
    send('/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username, password }).toString(),
    })

  it('is answered 503 with Retry-After once the hashing queue is full, and the rest are served', async () => {
    const answers = await Promise.all(
      ['wrong', 'secret', 'wrong', 'wrong', 'secret', 'wrong'].map((password, i) =>
        login(i === 2 ? 'nobody' : 'johndoe', password),
      ),
    )
    const statuses = answers.map((answer) => answer.status)
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThanOrEqual(1)
    expect(statuses.filter((status) => status !== 503).length).toBeGreaterThanOrEqual(2)
    for (const answer of answers) {
      const body = await answer.json()
      if (answer.status === 503) {
        expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
        expect(body).toEqual({ detail: 'Too many logins at once; try again shortly' })
      } else expect([200, 400]).toContain(answer.status)
    }
    // Once the queue drains, logins are taken again.
    expect((await login('johndoe', 'secret')).status).toBe(200)
  })

  it('answers 422 for an over-long password and 413 for a body over the route limit, hashing nothing', async () => {
    const started = performance.now()
    const long = await login('johndoe', 'x'.repeat(2_000))
    expect(long.status).toBe(422)
    const huge = await login('johndoe', 'x'.repeat(1_000_000))
    expect(huge.status).toBe(413)
    expect(await huge.json()).toEqual({ detail: 'Request body is too large' })
    // Neither waited for a cost-12 check.
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})
