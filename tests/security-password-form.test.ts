import { Gatehouse, type OAuth2PasswordRequest, OAuth2PasswordRequestForm } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const app = new Gatehouse()
app.post('/token', { inputs: { form: OAuth2PasswordRequestForm } }, function login({ form }) {
  expectTypeOf(form).toEqualTypeOf<OAuth2PasswordRequest<string | undefined>>()
  return { ...form, grant_type: form.grant_type ?? null, client_id: form.client_id ?? null }
})

const missing = (field: string) => ({
  type: 'missing',
  loc: ['body', field],
  msg: 'Field required',
  input: null,
})

describeEngines('OAuth2PasswordRequestForm', app, (send) => {
  const post = (body: BodyInit, type = 'application/x-www-form-urlencoded') =>
    send('/token', { method: 'POST', body, headers: { 'content-type': type } })

  it('reads every field and splits the scopes', async () => {
    const response = await post(
      'grant_type=password&username=johndoe&password=secret&scope=me%20items+%20%20read&client_id=app&client_secret=shh',
    )
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      grant_type: 'password',
      username: 'johndoe',
      password: 'secret',
      scope: 'me items   read',
      scopes: ['me', 'items', 'read'],
      client_id: 'app',
      client_secret: 'shh',
    })
  })

  it('needs only username and password', async () => {
    const response = await post('username=johndoe&password=secret')
    expect(await response.json()).toEqual({
      grant_type: null,
      username: 'johndoe',
      password: 'secret',
      scope: '',
      scopes: [],
      client_id: null,
    })
  })

  it('treats empty fields as missing and lets the last duplicate win', async () => {
    const response = await post(
      'grant_type=&username=first&username=johndoe&password=secret&scope=&client_id=',
    )
    expect(await response.json()).toMatchObject({
      grant_type: null,
      username: 'johndoe',
      scope: '',
      scopes: [],
      client_id: null,
    })
    const emptyLast = await post('username=johndoe&password=secret&password=')
    expect(emptyLast.status).toBe(422)
    expect(await emptyLast.json()).toEqual({ detail: [missing('password')] })
  })

  it('reads multipart forms too', async () => {
    const form = new FormData()
    form.set('username', 'johndoe')
    form.set('password', 'secret')
    form.set('scope', 'me')
    const response = await send('/token', { method: 'POST', body: form })
    expect(await response.json()).toMatchObject({ username: 'johndoe', scopes: ['me'] })
  })

  it('refuses a grant_type other than password', async () => {
    const response = await post('grant_type=client_credentials&username=johndoe&password=secret')
    expect(response.status).toBe(422)
    expect(await response.json()).toEqual({
      detail: [
        {
          type: 'invalid_format',
          loc: ['body', 'grant_type'],
          msg: "String should match pattern '^password$'",
          input: 'client_credentials',
          ctx: { format: 'regex' },
        },
      ],
    })
  })

  it('answers 422 listing username and password when they are missing', async () => {
    const response = await post('scope=me')
    expect(response.status).toBe(422)
    expect(await response.json()).toEqual({ detail: [missing('username'), missing('password')] })
  })

  it.each([
    ['JSON', JSON.stringify({ username: 'johndoe', password: 'secret' }), 'application/json'],
    ['text', 'username=johndoe&password=secret', 'text/plain'],
  ])('does not read a %s body as the form', async (_, body, type) => {
    const response = await post(body, type)
    expect(response.status).toBe(422)
    expect(await response.json()).toEqual({ detail: [missing('username'), missing('password')] })
  })
})

describe('OAuth2PasswordRequestForm', () => {
  it('documents an urlencoded body with the password fields marked', async () => {
    const document = app.openapi()
    expect(document).toEqual({
      openapi: '3.1.0',
      info: { title: 'Gatehouse', version: '0.1.0' },
      paths: {
        '/token': {
          post: {
            summary: 'Login',
            operationId: 'login_token_post',
            requestBody: {
              content: {
                'application/x-www-form-urlencoded': {
                  schema: { $ref: '#/components/schemas/Body_login_token_post' },
                },
              },
              required: true,
            },
            responses: {
              '200': {
                description: 'Successful Response',
                content: { 'application/json': { schema: {} } },
              },
              '422': {
                description: 'Validation Error',
                content: {
                  'application/json': {
                    schema: { $ref: '#/components/schemas/HTTPValidationError' },
                  },
                },
              },
            },
          },
        },
      },
      components: {
        schemas: {
          Body_login_token_post: {
            type: 'object',
            properties: {
              grant_type: { type: 'string', pattern: '^password$' },
              username: { type: 'string' },
              password: { type: 'string', format: 'password' },
              scope: { type: 'string', default: '' },
              client_id: { type: 'string' },
              client_secret: { type: 'string', format: 'password' },
            },
            required: ['username', 'password'],
            title: 'Body_login_token_post',
          },
          HTTPValidationError: {
            type: 'object',
            properties: {
              detail: {
                type: 'array',
                items: { $ref: '#/components/schemas/ValidationError' },
                title: 'Detail',
              },
            },
            title: 'HTTPValidationError',
          },
          ValidationError: {
            type: 'object',
            properties: {
              loc: {
                type: 'array',
                items: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
                title: 'Location',
              },
              msg: { type: 'string', title: 'Message' },
              type: { type: 'string', title: 'Error Type' },
              input: { title: 'Input' },
              ctx: { type: 'object', title: 'Context' },
            },
            required: ['loc', 'msg', 'type'],
            title: 'ValidationError',
          },
        },
      },
    })
    await expectValidOpenAPI(document)
  })
})
