// Checked under a plain `strict` config and under the project's own, which has
// `exactOptionalPropertyTypes`: every optional option takes an explicit `undefined`, as the run time
// does, so values from a config module (`string | undefined`) can be passed on as they are.
import {
  APIKeyHeader,
  Body,
  compress,
  cors,
  createCurrentPrincipal,
  createJWTCodec,
  Depends,
  dependency,
  Form,
  Gatehouse,
  Header,
  type HTTPAuthorizationCredentials,
  HTTPBasic,
  HTTPBearer,
  mountProtectedResourceMetadata,
  OAuth2,
  OAuth2Error,
  OAuth2PasswordBearer,
  Path,
  Query,
  Router,
  Security,
  serve,
  staticFiles,
} from 'gatehouse'
import { createAdministration, createMemoryStore } from 'gatehouse/authorization-server'
import { expectTypeOf } from 'vitest'
import * as z from 'zod'

declare const env: {
  rootPath: string | undefined
  port: number | undefined
  realm: string | undefined
  maxAge: number | undefined
  name: string | undefined
  flag: boolean | undefined
  list: readonly string[] | undefined
}

const app = new Gatehouse({
  title: env.name,
  version: env.name,
  description: env.name,
  rootPath: env.rootPath,
  docsUrl: env.name,
  redocUrl: env.name,
  openapiUrl: env.name,
  swaggerUiOAuth2RedirectUrl: env.name,
  bodyLimit: env.maxAge,
  redirectSlashes: env.flag,
  lifespan: undefined,
  logger: undefined,
  servers: undefined,
})
await serve(app, {
  port: env.port,
  hostname: env.name,
  drainTimeout: env.maxAge,
  signals: undefined,
})
app.use(cors({ origin: '*', maxAge: env.maxAge, credentials: env.flag, allowMethods: env.list }))
app.use(compress({ threshold: env.maxAge, encodings: undefined, filter: undefined }))
app.use(async (ctx, next) => {
  await next()
  ctx.setHeader('x-a', '1', { append: env.flag })
})
app.mount(
  '/static',
  staticFiles('public', { index: undefined, maxAge: env.maxAge, dotfiles: env.flag }),
)

const basic = new HTTPBasic({ realm: env.realm, schemeName: env.name, description: env.name })
const oauth2 = new OAuth2PasswordBearer({
  tokenUrl: 'token',
  scopes: undefined,
  refreshUrl: env.name,
})
new OAuth2({
  flows: { password: { tokenUrl: 'token', refreshUrl: env.name }, implicit: undefined },
})
new APIKeyHeader({ name: 'x-key', description: env.name })
// An explicit `autoError: undefined` is the default at run time; the type stays on the safe side.
expectTypeOf(new HTTPBearer({ autoError: undefined }).extract).returns.toExtend<
  HTTPAuthorizationCredentials | undefined
>()

createCurrentPrincipal({
  scheme: oauth2,
  jwt: createJWTCodec({ secret: 'x'.repeat(32), issuer: env.rootPath }),
  loadPrincipal: (subject) => subject,
  realm: env.realm,
  errors: undefined,
  resourceMetadata: env.name,
  name: env.name,
})
mountProtectedResourceMetadata(app, {
  resource: 'https://api.example',
  resourceName: env.name,
  jwksUri: env.name,
  path: env.name,
})

const getOne = dependency({}, () => 1, { name: env.name, scope: undefined })
const router = new Router({ prefix: env.rootPath, tags: env.list, dependencies: undefined })
router.get(
  '/items/{id}',
  {
    inputs: {
      id: Path(z.number(), { description: env.name }),
      q: Query(z.string().optional(), { alias: env.name, deprecated: env.flag }),
      agent: Header(z.string().optional(), { convertUnderscores: env.flag }),
      one: Depends(getOne, { useCache: env.flag }),
      user: Security(basic, { scopes: env.list, useCache: env.flag }),
    },
    summary: env.name,
    description: env.name,
    status: env.port,
    tags: env.list,
    operationId: env.name,
    includeInSchema: env.flag,
    response: undefined,
    mapError: undefined,
  },
  ({ id }) => id,
)
router.post(
  '/body',
  { inputs: { b: Body(z.string(), { embed: env.flag, mediaType: env.name }) } },
  ({ b }) => b,
)
router.post('/form', { inputs: { f: Form(z.string(), { multipart: env.flag }) } }, ({ f }) => f)
router.get('/cookie', { inputs: { res: Response } }, ({ res }) => {
  res.setCookie('k', 'v', {
    maxAge: env.maxAge,
    path: env.name,
    secure: env.flag,
    sameSite: undefined,
  })
  return null
})
router.get('/refuse', {}, () => {
  throw new OAuth2Error('invalid_request', env.name, { uri: env.name, status: env.port })
})
app.include(router, { prefix: env.rootPath, tags: env.list })

createAdministration({
  store: createMemoryStore(),
  scopes: env.list,
  now: undefined,
  passwords: undefined,
})
