// Checked under a plain `strict` config and under the project's own, against the built dist/*.d.ts:
// the types in public signatures can be named by a consumer (so a package built with
// `declaration: true` can export values of them, e.g. `router.routes`).
import type {
  AppOptions,
  BearerFlowOptions,
  CodeAnswer,
  Coding,
  CompiledRoute,
  CompressOptions,
  DeepReadonly,
  DependencyOverrides,
  Gatehouse,
  HandlerResult,
  HTTPSchemeObject,
  InputDocs,
  InputKind,
  InputSource,
  MatchedRoute,
  MaybePromise,
  MiddlewareContext,
  NoInputs,
  OAuth2FlowBase,
  OAuth2PasswordBearerOptions,
  OAuth2PasswordFlow,
  OpenAPIInfo,
  ParamOptions,
  RoutePath,
  RouteRecord,
  Router,
  ShutdownOptions,
} from 'gatehouse'
import { ERROR_ANSWERS } from 'gatehouse'
import type {
  AuthorizationServerDatabase,
  ClientsTable,
  UsersTable,
} from 'gatehouse/authorization-server'
import { expectTypeOf } from 'vitest'
import type * as z from 'zod'

declare const router: Router
declare const app: Gatehouse
expectTypeOf(router.routes).toEqualTypeOf<readonly RouteRecord[]>()
expectTypeOf(app.routes).toEqualTypeOf<readonly CompiledRoute[]>()
expectTypeOf<CompiledRoute['path']>().toEqualTypeOf<RoutePath>()
expectTypeOf(app.dependencyOverrides).toEqualTypeOf<DependencyOverrides>()
expectTypeOf(ERROR_ANSWERS.body_too_large).toEqualTypeOf<CodeAnswer>()
expectTypeOf(app.shutdown).parameter(0).toEqualTypeOf<ShutdownOptions | undefined>()
expectTypeOf<MiddlewareContext['route']>().toEqualTypeOf<MatchedRoute | undefined>()
expectTypeOf<MatchedRoute['params']>().toEqualTypeOf<Readonly<Record<string, string>>>()
expectTypeOf<AppOptions['servers']>().toEqualTypeOf<OpenAPIInfo['servers'] | undefined>()
expectTypeOf<CompressOptions['encodings']>().toEqualTypeOf<readonly Coding[] | undefined>()
expectTypeOf<MaybePromise<number>>().toEqualTypeOf<number | Promise<number>>()
expectTypeOf<DeepReadonly<{ a: string[] }>>().toEqualTypeOf<{ readonly a: readonly string[] }>()
expectTypeOf<HandlerResult<z.ZodArray<z.ZodString>>>().toEqualTypeOf<string[]>()
expectTypeOf<NoInputs>().toEqualTypeOf<Record<never, never>>()
expectTypeOf<ParamOptions>().toExtend<InputDocs>()
expectTypeOf<InputSource['~gatehouse']>().toEqualTypeOf<InputKind>()
expectTypeOf<OAuth2PasswordFlow>().toExtend<OAuth2FlowBase>()
expectTypeOf<OAuth2PasswordBearerOptions>().toExtend<BearerFlowOptions<true>>()
expectTypeOf<HTTPSchemeObject<'bearer'>['scheme']>().toEqualTypeOf<'bearer'>()
expectTypeOf<AuthorizationServerDatabase['gatehouse_users']>().toEqualTypeOf<UsersTable>()
expectTypeOf<AuthorizationServerDatabase>()
  .toHaveProperty('gatehouse_clients')
  .toEqualTypeOf<ClientsTable>()
