import { Gatehouse, type RunningServer, serve } from 'gatehouse'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { rawRequest } from './helpers/raw-http.js'

// Node refuses a head once its request target plus every field name and value reach 16 KiB
// (`: ` and line ends are not counted); `app.fetch` counts a Web `Request` the same way, so the
// same head gets the same answer at the border, whatever its shape.
const LIMIT = 16 * 1024

describe('the 16 KiB head limit is counted alike by both engines', () => {
  let server: RunningServer
  const app = new Gatehouse()
  app.get('/x', {}, () => 'ok')
  beforeAll(async () => {
    server = await serve(app, { port: 0, signals: false })
  })
  afterAll(() => server.close())

  /** The status of one head through `serve()` (raw bytes) and through `app.fetch`. */
  const statuses = async (target: string, headers: [string, string][]) => {
    const lines = headers.map(([name, value]) => `${name}: ${value}\r\n`).join('')
    const node = await rawRequest(server.port, `GET ${target} HTTP/1.1\r\n${lines}\r\n`)
    const web = await app.fetch(new Request(`http://h${target}`, { headers }))
    return { serve: node.status, 'app.fetch': web.status }
  }
  const both = (status: number) => ({ serve: status, 'app.fetch': status })
  /** What the head counts: target, names and values. */
  const counted = (target: string, headers: [string, string][]) =>
    headers.reduce((sum, [name, value]) => sum + name.length + value.length, target.length)

  test('one large header, at the border', async () => {
    const headers = (n: number): [string, string][] => [
      ['Host', 'h'],
      ['X-Big', 'a'.repeat(n)],
    ]
    const fits = LIMIT - 1 - counted('/x', headers(0))
    expect(counted('/x', headers(fits))).toBe(LIMIT - 1)
    expect(await statuses('/x', headers(fits))).toEqual(both(200))
    expect(await statuses('/x', headers(fits + 1))).toEqual(both(431))
  })

  test('many short headers, at the border', async () => {
    // `x0001: v` … each counts 6 bytes; the last one's value pads to the exact border.
    const headers = (pad: number): [string, string][] => {
      const list: [string, string][] = [['Host', 'h']]
      for (let i = 0; counted('/x', list) + 6 + 7 <= LIMIT - 1; i++)
        list.push([`x${String(i).padStart(4, '0')}`, 'v'])
      list.push(['x-last', 'v'.repeat(LIMIT - 1 - counted('/x', list) - 6 + pad)])
      return list
    }
    expect(headers(0).length).toBeGreaterThan(2_500)
    expect(counted('/x', headers(0))).toBe(LIMIT - 1)
    expect(await statuses('/x', headers(0))).toEqual(both(200))
    expect(await statuses('/x', headers(1))).toEqual(both(431))
  })

  test('a long URL, at the border', async () => {
    const target = (n: number) => `/x?q=${'a'.repeat(n)}`
    const fits = LIMIT - 1 - counted(target(0), [['Host', 'h']])
    expect(await statuses(target(fits), [['Host', 'h']])).toEqual(both(200))
    expect(await statuses(target(fits + 1), [['Host', 'h']])).toEqual(both(431))
  })

  test('a Request without headers: its URL is counted, with its host for the Host it lacks', async () => {
    const fits = LIMIT - 1 - counted('/x?q=', [['host', 'h']])
    const answer = (n: number) =>
      app.fetch(new Request(`http://h/x?q=${'a'.repeat(n)}#${'f'.repeat(100)}`))
    expect((await answer(fits)).status).toBe(200)
    expect((await answer(fits + 1)).status).toBe(431)
    expect((await app.request(`/x?q=${'a'.repeat(30_000)}`)).status).toBe(431)
  })
})
