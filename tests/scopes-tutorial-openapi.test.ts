import { afterAll, beforeAll, expect, test } from 'vitest'
import { describeEachEngine } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'
import { startScopesApp } from './helpers/scopes-app.js'

describeEachEngine('the tutorial app documents itself', (engine) => {
  let running: Awaited<ReturnType<typeof startScopesApp>>
  beforeAll(async () => {
    running = await startScopesApp(engine)
  })
  afterAll(() => running.close())

  test('/openapi.json: security per operation, both scopes, schemas without hashed_password', async () => {
    const response = await running.send('/openapi.json')
    expect(response.status).toBe(200)
    const text = await response.text()
    expect(text).not.toContain('hashed_password')
    const document = JSON.parse(text)
    await expectValidOpenAPI(document)
    expect(document.components.securitySchemes).toEqual({
      OAuth2PasswordBearer: {
        type: 'oauth2',
        flows: {
          password: {
            tokenUrl: 'token',
            scopes: { me: 'Read information about the current user.', items: 'Read items.' },
          },
        },
      },
    })
    expect(document.paths['/users/me/'].get.security).toEqual([{ OAuth2PasswordBearer: ['me'] }])
    expect(document.paths['/users/me/items/'].get.security).toEqual([
      { OAuth2PasswordBearer: ['items', 'me'] },
    ])
    expect(document.paths['/status/'].get.security).toEqual([{ OAuth2PasswordBearer: [] }])
    expect(document.paths['/token'].post.security).toBeUndefined()
    expect(document.components.schemas.User).toEqual({
      type: 'object',
      properties: {
        username: { type: 'string' },
        email: { type: ['string', 'null'] },
        full_name: { type: ['string', 'null'] },
        disabled: { type: ['boolean', 'null'] },
      },
      required: ['username'],
    })
    expect(document.components.schemas.Token).toMatchObject({
      type: 'object',
      properties: { access_token: { type: 'string' }, token_type: { type: 'string' } },
      required: ['access_token', 'token_type'],
    })
    expect(
      document.paths['/users/me/'].get.responses['200'].content['application/json'].schema,
    ).toEqual({
      $ref: '#/components/schemas/User',
    })
    const tokenBody = document.paths['/token'].post.requestBody
    expect(Object.keys(tokenBody.content)).toEqual(['application/x-www-form-urlencoded'])
  })

  test.each([
    ['/docs', 'text/html'],
    ['/docs/oauth2-redirect', 'text/html'],
    ['/redoc', 'text/html'],
  ])('%s is served', async (path, type) => {
    const response = await running.send(path)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain(type)
  })
})
