import { Gatehouse, type OAuth2PasswordRequest, OAuth2PasswordRequestFormStrict } from 'gatehouse'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { describeEngines } from './helpers/http.js'
import { expectValidOpenAPI } from './helpers/openapi.js'

const app = new Gatehouse()
app.post('/token', { inputs: { form: OAuth2PasswordRequestFormStrict } }, function login({ form }) {
  expectTypeOf(form).toEqualTypeOf<OAuth2PasswordRequest<'password'>>()
  expectTypeOf(form.grant_type).toEqualTypeOf<'password'>()
  return form
})

const missing = (field: string) => ({
  type: 'missing',
  loc: ['body', field],
  msg: 'Field required',
  input: null,
})

describeEngines('OAuth2PasswordRequestFormStrict', app, (send) => {
  const post = (body: string, type = 'application/x-www-form-urlencoded') =>
    send('/token', { method: 'POST', body, headers: { 'content-type': type } })

  it('reads the form when grant_type is password', async () => {
    const response = await post('grant_type=password&username=johndoe&password=secret&scope=me')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({
      grant_type: 'password',
      username: 'johndoe',
      password: 'secret',
      scope: 'me',
      scopes: ['me'],
    })
  })

  it.each([
    ['absent', 'username=johndoe&password=secret'],
    ['empty', 'grant_type=&username=johndoe&password=secret'],
  ])('requires grant_type when it is %s', async (_, body) => {
    const response = await post(body)
    expect(response.status).toBe(422)
    expect(await response.json()).toEqual({ detail: [missing('grant_type')] })
  })

  it('refuses a grant_type other than password', async () => {
    const response = await post('grant_type=passwordx&username=johndoe&password=secret')
    expect(response.status).toBe(422)
    expect(await response.json()).toEqual({
      detail: [
        {
          type: 'invalid_format',
          loc: ['body', 'grant_type'],
          msg: "String should match pattern '^password$'",
          input: 'passwordx',
          ctx: { format: 'regex' },
        },
      ],
    })
  })

  it('lists every missing field of a JSON body', async () => {
    const response = await post(
      JSON.stringify({ grant_type: 'password', username: 'johndoe', password: 'secret' }),
      'application/json',
    )
    expect(response.status).toBe(422)
    expect(await response.json()).toEqual({
      detail: [missing('grant_type'), missing('username'), missing('password')],
    })
  })
})

describe('OAuth2PasswordRequestFormStrict', () => {
  it('documents grant_type as required', async () => {
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
            required: ['grant_type', 'username', 'password'],
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
