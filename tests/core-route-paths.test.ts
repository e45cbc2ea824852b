import { Gatehouse, Path, Router } from 'gatehouse'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { describeEngines } from './helpers/http.js'

describe('route paths are FastAPI syntax, refused at registration otherwise', () => {
  const register = (path: string) => () => new Gatehouse().get(path, {}, () => 'ok')

  it.each([
    [
      '/c/:id',
      `GET /c/:id: ":" starts a segment (Hono's :param syntax); write {name} for a parameter`,
    ],
    ['/:id', `GET /:id: ":" starts a segment (Hono's :param syntax); write {name} for a parameter`],
    ['/w/*', `GET /w/*: "*" is Hono's wildcard; write {name:path} for the rest of the path`],
    ['/w/a*b', `GET /w/a*b: "*" is Hono's wildcard; write {name:path} for the rest of the path`],
    ['/a/../b', 'GET /a/../b: "." and ".." segments can never be requested'],
    ['/a/.', 'GET /a/.: "." and ".." segments can never be requested'],
  ])('refuses %s, naming the route', (path, message) => {
    expect(register(path)).toThrow(new TypeError(message))
  })

  it.each([
    ['/q?x=1', 'GET /q?x=1: "?"'],
    ['/a#b', 'GET /a#b: "#"'],
    ['/a%20b', 'GET /a%20b: "%"'],
    ['/a"b', 'GET /a"b: "\\""'],
    ['/a\\b', 'GET /a\\b: "\\\\"'],
    ['/a|b', 'GET /a|b: "|"'],
    ['/a b', 'GET "/a b": U+0020'],
    ['/a\tb', 'GET "/a\\tb": U+0009'],
    ['/a\u00a0b', 'GET "/a\u00a0b": U+00A0'],
    ['/a\u0000', 'GET "/a\\u0000": U+0000'],
  ])('refuses %j, a character no literal path holds', (path, start) => {
    expect(register(path)).toThrow(
      new TypeError(
        `${start} cannot be part of a literal path (a query, a fragment, a space or an escape)`,
      ),
    )
  })

  it('refuses a {parameter} that is not a whole segment: Hono would name it "name.txt"', () => {
    const app = new Gatehouse()
    expect(() =>
      app.get('/f/{name}.txt', { inputs: { name: Path(z.string()) } }, () => 'ok'),
    ).toThrow(
      new TypeError('GET /f/{name}.txt: {name} must be a whole path segment, as in /files/{name}'),
    )
    expect(() =>
      app.get('/v/{id}:batch', { inputs: { id: Path(z.string()) } }, () => 'ok'),
    ).toThrow(
      new TypeError('GET /v/{id}:batch: {id} must be a whole path segment, as in /files/{id}'),
    )
  })

  it('names the route for the older path mistakes too, and through a router prefix', () => {
    expect(register('nope')).toThrow(
      new TypeError('GET nope: the path must start with "/": "nope"'),
    )
    expect(register('/{id')).toThrow(
      new TypeError('GET /{id: the path has a malformed {parameter}'),
    )
    const router = new Router({ prefix: '/r' })
    router.get('/:id', {}, () => 'ok')
    expect(() => new Gatehouse().include(router)).toThrow(/^GET \/r\/:id: ":" starts a segment/)
  })
})

// What stays allowed is matched literally: a ":" inside a segment (Google's custom methods),
// "@", sub-delims and non-ASCII letters, each only by exactly that path.
const app = new Gatehouse()
app.post('/v1/items:batchGet', {}, () => 'batch')
app.get('/users/@me', {}, () => 'me')
app.get("/a/x!$&'()+,;=~y", {}, () => 'sub-delims')
app.get('/café', {}, () => 'café')
app.get('/items/{id}', { inputs: { id: Path(z.string()) } }, ({ id }) => id)

describeEngines('literal route paths', app, (send) => {
  const answer = async (path: string, method = 'GET') => {
    const response = await send(path, { method })
    return { status: response.status, body: response.status === 200 ? await response.json() : null }
  }

  it('matches ":" inside a segment literally, never as a parameter', async () => {
    expect(await answer('/v1/items:batchGet', 'POST')).toEqual({ status: 200, body: 'batch' })
    expect(await answer('/v1/itemsXbatchGet', 'POST')).toMatchObject({ status: 404 })
    expect(await answer('/v1/items:other', 'POST')).toMatchObject({ status: 404 })
  })

  it('matches "@", sub-delims and non-ASCII letters only as written', async () => {
    expect(await answer('/users/@me')).toEqual({ status: 200, body: 'me' })
    expect(await answer('/users/Xme')).toMatchObject({ status: 404 })
    expect(await answer("/a/x!$&'()+,;=~y")).toEqual({ status: 200, body: 'sub-delims' })
    expect(await answer('/a/x!$&()+,;=~y')).toMatchObject({ status: 404 })
    expect(await answer('/caf%C3%A9')).toEqual({ status: 200, body: 'café' })
    expect(await answer('/cafe')).toMatchObject({ status: 404 })
  })

  it('documents the paths as written', async () => {
    const document = await (await send('/openapi.json')).json()
    expect(Object.keys(document.paths)).toEqual([
      '/v1/items:batchGet',
      '/users/@me',
      "/a/x!$&'()+,;=~y",
      '/café',
      '/items/{id}',
    ])
  })
})
