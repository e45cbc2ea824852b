import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { openExternalIssuerApp, RESOURCE } from './helpers/external-issuer-app.js'
import { type Send, transports } from './helpers/http.js'
import { type IssuerKey, startTestIssuer, type TestIssuer } from './helpers/issuer-server.js'

// Stale-while-revalidate: a cached JWKS older than `maxAge` that holds the token's key answers at
// once and is fetched again in the background, so an issuer outage costs no request the fetch
// timeout. Only a kid the set lacks waits for a fetch.

const TIMEOUT_MS = 3000
// Well under the fetch timeout, well over a loaded machine's request time.
const AT_ONCE_MS = TIMEOUT_MS / 2

describe.each(transports)('a stale JWKS through $name', (transport) => {
  let issuer: TestIssuer
  let key: IssuerKey
  let unpublished: IssuerKey
  let send: Send
  let clock = Math.floor(Date.now() / 1000)
  let close = async () => {}
  beforeAll(async () => {
    issuer = await startTestIssuer()
    key = await issuer.addKey('ES256')
    unpublished = await issuer.addKey('ES256', { publish: false })
    ;({ send, close } = await openExternalIssuerApp(transport, issuer, {
      now: () => clock,
      remote: { maxAge: 60, cooldown: 30, timeout: TIMEOUT_MS },
    }))
  })
  afterAll(() => close())

  const get = async (signer: IssuerKey) => {
    const token = await signer.sign({
      iss: issuer.issuer,
      aud: RESOURCE,
      sub: 'johndoe',
      scope: 'me',
      iat: clock,
      exp: clock + 3600,
    })
    const started = performance.now()
    const response = await send('/users/me/', { headers: { authorization: `Bearer ${token}` } })
    await response.arrayBuffer()
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      ms: performance.now() - started,
    }
  }
  const fetches = () => issuer.hitsOf('/jwks.json')

  it('answers a known kid from the stale set at once while the issuer hangs, one refresh at a time', async () => {
    expect((await get(key)).status).toBe(200)
    expect(fetches()).toBe(1)
    issuer.mode = 'hang'
    clock += 120 // past maxAge and the cooldown
    const answers = await Promise.all([get(key), get(key), get(key), get(key), get(key)])
    for (const answer of answers) {
      expect(answer.status).toBe(200)
      expect(answer.ms).toBeLessThan(AT_ONCE_MS)
    }
    // The refresh started in the background, once for all five.
    await vi.waitFor(() => expect(fetches()).toBe(2))
    const later = await get(key)
    expect(later).toMatchObject({ status: 200 })
    expect(later.ms).toBeLessThan(AT_ONCE_MS)
    expect(fetches()).toBe(2)
  })

  it('makes an unknown kid wait for that fetch, then answers 503 while nothing can decide', async () => {
    const answer = await get(unpublished)
    expect(answer).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/) })
    expect(fetches()).toBe(2) // it shared the pending fetch instead of starting another
  })

  it('after the cooldown, refreshes in the background again and then knows the new key', async () => {
    issuer.mode = 'ok'
    issuer.publish(key.kid, unpublished.kid)
    clock += 31
    const stale = await get(key)
    expect(stale.status).toBe(200)
    expect(stale.ms).toBeLessThan(AT_ONCE_MS)
    await vi.waitFor(async () => expect((await get(unpublished)).status).toBe(200))
    expect(fetches()).toBe(3)
  })

  it('a clock that steps back holds back neither the fetch for a new kid nor the refresh', async () => {
    const rotated = await issuer.addKey('ES256', { publish: false })
    clock -= 3600 // NTP, or a resumed VM: the last fetch now looks an hour ahead
    issuer.publish(key.kid, unpublished.kid, rotated.kid)
    expect((await get(rotated)).status).toBe(200)
    expect(fetches()).toBe(4)
  })
})
