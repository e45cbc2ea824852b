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
  /** `scope` split on whitespace, each scope once, in the order first sent. */
  readonly scopes: readonly string[]
  readonly client_id: string | undefined
  readonly client_secret: string | undefined
}

/**
 * Bounds of the form's fields, so a token endpoint never buffers, hashes or signs a megabyte: the
 * longest `username`, `password`, `client_id` and `client_secret`, the longest `scope` field, and
 * the most scopes it may list. Over a bound, the form answers 422.
 * @example app.post('/token', { inputs: { form: OAuth2PasswordRequestForm }, bodyLimit: 16 * 1024 }, login)
 */
export const PASSWORD_FORM_LIMITS = Object.freeze({
  fieldLength: 1024,
  scopeLength: 2048,
  scopes: 64,
})

// A check function rather than `z.maxLength`: the same 422, while the documented schema stays
// FastAPI's (no `maxLength`).
function atMost(maximum: number, measure: (value: string) => number, message: string) {
  return (ctx: z.core.ParsePayload<string>) => {
    if (measure(ctx.value) > maximum)
      ctx.issues.push({
        code: 'too_big',
        origin: 'string',
        maximum,
        inclusive: true,
        input: ctx.value,
        message,
      })
  }
}

const bounded = (maximum: number) =>
  atMost(maximum, (value) => value.length, `String should have at most ${maximum} characters`)

const splitScopes = (scope: string) => scope.split(/\s+/).filter(Boolean)

const grantType = z
  .string()
  .check(z.regex(/^password$/, "String should match pattern '^password$'"))
const text = z.string().check(bounded(PASSWORD_FORM_LIMITS.fieldLength))
const secret = z
  .string()
  .check(bounded(PASSWORD_FORM_LIMITS.fieldLength))
  .register(z.globalRegistry, { format: 'password' })
const scope = z.string().check(
  bounded(PASSWORD_FORM_LIMITS.scopeLength),
  atMost(
    PASSWORD_FORM_LIMITS.scopes,
    // Only a field within its length is split: the length check has answered for the others.
    (value) => (value.length > PASSWORD_FORM_LIMITS.scopeLength ? 0 : splitScopes(value).length),
    `Should list at most ${PASSWORD_FORM_LIMITS.scopes} scopes`,
  ),
)

function fields<G extends FormInput<string | undefined>>(grant_type: G) {
  return {
    grant_type,
    username: Form(text),
    password: Form(secret),
    scope: Form(z._default(scope, '')),
    client_id: Form(z.optional(text)),
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
  return { ...form, scopes: [...new Set(splitScopes(form.scope))] }
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
 * `grant_type` optional but `password` when sent, `scope` space-separated (also given split, and
 * without repeats, as `scopes`), optional `client_id`/`client_secret`. Empty fields count as
 * missing and the last of repeated fields wins; fields over {@link PASSWORD_FORM_LIMITS} answer 422.
 * OpenAPI documents it as an `application/x-www-form-urlencoded` body.
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
