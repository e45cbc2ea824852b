import * as z from 'zod/mini'
import { type Dependency, dependency } from '../core/declare/dependency.js'
import { Form, type FormInput } from '../core/declare/inputs.js'

/** What the OAuth2 password grant's form gives a token endpoint (RFC 6749 §4.3.2). */
export interface OAuth2PasswordRequest<G extends string | undefined = string | undefined> {
  /** `'password'` when sent; the strict form requires it. */
  readonly grant_type: G
  readonly username: string
  readonly password: string
  /** The requested scopes as sent, space-separated; `''` when absent. */
  readonly scope: string
  /** `scope` split on whitespace. */
  readonly scopes: readonly string[]
  readonly client_id: string | undefined
  readonly client_secret: string | undefined
}

const grantType = z
  .string()
  .check(z.regex(/^password$/, "String should match pattern '^password$'"))
const secret = z.string().register(z.globalRegistry, { format: 'password' })

function fields<G extends FormInput<string | undefined>>(grant_type: G) {
  return {
    grant_type,
    username: Form(z.string()),
    password: Form(secret),
    scope: Form(z._default(z.string(), '')),
    client_id: Form(z.optional(z.string())),
    client_secret: Form(z.optional(secret)),
  }
}

function toRequest<G extends string | undefined>(form: {
  grant_type: G
  username: string
  password: string
  scope: string
  client_id: string | undefined
  client_secret: string | undefined
}): OAuth2PasswordRequest<G> {
  return { ...form, scopes: form.scope.split(/\s+/).filter(Boolean) }
}

type FormFields<G> = {
  grant_type: FormInput<G>
  username: FormInput<string>
  password: FormInput<string>
  scope: FormInput<string>
  client_id: FormInput<string | undefined>
  client_secret: FormInput<string | undefined>
}

/**
 * The form of the OAuth2 password grant, as a dependency: `username` and `password` required,
 * `grant_type` optional but `password` when sent, `scope` space-separated (also given split as
 * `scopes`), optional `client_id`/`client_secret`. Empty fields count as missing and the last of
 * repeated fields wins. OpenAPI documents it as an `application/x-www-form-urlencoded` body.
 * @example
 * app.post('/token', { inputs: { form: OAuth2PasswordRequestForm } }, async ({ form }) => {
 *   const user = await authenticate(form.username, form.password)
 *   ...
 * })
 */
export const OAuth2PasswordRequestForm: Dependency<
  OAuth2PasswordRequest<string | undefined>,
  FormFields<string | undefined>
> = dependency(fields(Form(z.optional(grantType))), toRequest, {
  name: 'OAuth2PasswordRequestForm',
})

/**
 * Like {@link OAuth2PasswordRequestForm}, but `grant_type=password` is required, as RFC 6749 says.
 * @example app.post('/token', { inputs: { form: OAuth2PasswordRequestFormStrict } }, ...)
 */
export const OAuth2PasswordRequestFormStrict: Dependency<
  OAuth2PasswordRequest<'password'>,
  FormFields<'password'>
> = dependency(fields(Form(grantType as z.ZodMiniType<'password', string>)), toRequest, {
  name: 'OAuth2PasswordRequestFormStrict',
})
