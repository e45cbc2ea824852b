// Declarations use Node types (`node:http`, `NodeJS`): TypeScript 6+ no longer loads @types/node unless asked.
/// <reference types="node" preserve="true" />
export type { AppOptions, Fetchable, ShutdownOptions } from './app/app-options.js'
export type { ErrorClass, ExceptionHandler } from './app/exception-handlers.js'
export { defaultExceptionHandler } from './app/exception-handlers.js'
export { Gatehouse } from './app/gatehouse.js'
export type { Lifespan, LifespanPhase } from './app/lifespan.js'
export type { Middleware, MiddlewareContext } from './app/middleware.js'
export type { DependencyOverrides } from './app/overrides.js'
export type { RunningServer, ServeOptions } from './app/serve.js'
export { serve } from './app/serve.js'
export type { CompiledRoute } from './core/compile/compile-route.js'
export type { RoutePath } from './core/compile/route-path.js'
export type {
  Dependable,
  Dependency,
  DependencyOptions,
  DependsInput,
  InputLike,
  Inputs,
  InputValue,
  Provided,
  Resolve,
  SecurityInput,
} from './core/declare/dependency.js'
export { Depends, dependency, Security } from './core/declare/dependency.js'
export type {
  BodyInput,
  BodyOptions,
  FormInput,
  FormOptions,
  HeaderOptions,
  InputDocs,
  InputKind,
  InputSource,
  ParamInput,
  ParamLocation,
  ParamOptions,
  Schema,
} from './core/declare/inputs.js'
export { Body, Cookie, Form, Header, Path, Query, RequestState } from './core/declare/inputs.js'
export type { IncludeOptions, NoInputs } from './core/declare/route-collector.js'
export type {
  DeepReadonly,
  Handler,
  HandlerResult,
  HTTPMethod,
  MaybePromise,
  ResponseDoc,
  ResponsesOption,
  RouteOptions,
  RouteRecord,
} from './core/declare/route-options.js'
export { Router } from './core/declare/router.js'
export type { SchemeContext, SecuritySchemeObject } from './core/declare/security-scheme.js'
export { SecurityScheme } from './core/declare/security-scheme.js'
export { SecurityScopes } from './core/declare/security-scopes.js'
export type {
  CodeAnswer,
  GatehouseErrorCode,
  InsufficientScopeOptions,
  InvalidTokenCode,
  OAuth2ErrorCode,
  ValidationErrorItem,
} from './core/errors/index.js'
export {
  BadRequestError,
  BodyTooLargeError,
  ERROR_ANSWERS,
  GatehouseError,
  HTTPException,
  InsufficientScopeError,
  InvalidTokenError,
  isGatehouseError,
  isInvalidTokenError,
  isOAuth2Error,
  KeySourceUnavailableError,
  OAuth2Error,
  RequestAbortedError,
  RequestTimeoutError,
  RequestValidationError,
  ResponseValidationError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnsupportedContentEncodingError,
  UnsupportedMediaTypeError,
} from './core/errors/index.js'
export { BackgroundTasks } from './core/run/background-tasks.js'
export type { MatchedRoute, RequestView } from './core/run/request-view.js'
export type { Logger } from './core/run/respond.js'
export type { CookieOptions } from './core/run/response-parameter.js'
export { ResponseParameter } from './core/run/response-parameter.js'
export type { DocsOptions, DocsRoute } from './docs/index.js'
export { createDocsRoutes } from './docs/index.js'
export type {
  JSONWebKeySet,
  JWTAlgorithm,
  JWTCodec,
  JWTCodecOptions,
  JWTKey,
  JWTSignOptions,
  JWTVerifierAlgorithm,
  JWTVerifierOptions,
  RemoteKeyOptions,
  TokenVerifier,
  VerifiedToken,
} from './jwt/index.js'
export { createJWTCodec, createJWTVerifier } from './jwt/index.js'
export type { CompressOptions } from './middleware/compress.js'
export { compress } from './middleware/compress.js'
export type { CORSOptions } from './middleware/cors.js'
export { cors } from './middleware/cors.js'
export type { Coding } from './middleware/internal/accept-encoding.js'
export type { OpenAPIDocument, OpenAPIInfo } from './openapi/document.js'
export type { Argon2Parameters, PasswordHasher, PasswordHasherOptions } from './password/index.js'
export { createPasswordHasher } from './password/index.js'
export type {
  CurrentPrincipalOptions,
  ErrorStyle,
  IntrospectionVerifierOptions,
  ProtectedResourceMetadata,
  ProtectedResourceOptions,
} from './resource-server/index.js'
export {
  bearerChallenge,
  createCurrentPrincipal,
  createIntrospectionVerifier,
  mountProtectedResourceMetadata,
  protectedResourceMetadata,
  protectedResourceMetadataURL,
} from './resource-server/index.js'
export type {
  APIKeyOptions,
  BearerFlowOptions,
  HTTPAuthorizationCredentials,
  HTTPBasicCredentials,
  HTTPBasicOptions,
  HTTPBearerOptions,
  HTTPSchemeObject,
  OAuth2AuthorizationCodeBearerOptions,
  OAuth2AuthorizationCodeFlow,
  OAuth2ClientCredentialsFlow,
  OAuth2ClientCredentialsOptions,
  OAuth2FlowBase,
  OAuth2Flows,
  OAuth2ImplicitFlow,
  OAuth2Options,
  OAuth2PasswordBearerOptions,
  OAuth2PasswordFlow,
  OAuth2PasswordRequest,
  OAuth2Scopes,
  OpenIdConnectOptions,
  SchemeOptions,
  SchemeValue,
} from './security/index.js'
export {
  APIKeyCookie,
  APIKeyHeader,
  APIKeyQuery,
  HTTPBasic,
  HTTPBearer,
  HTTPDigest,
  OAuth2,
  OAuth2AuthorizationCodeBearer,
  OAuth2ClientCredentials,
  OAuth2PasswordBearer,
  OAuth2PasswordRequestForm,
  OAuth2PasswordRequestFormStrict,
  OpenIdConnect,
} from './security/index.js'
export type { StaticFilesOptions } from './static/static-files.js'
export { staticFiles } from './static/static-files.js'
