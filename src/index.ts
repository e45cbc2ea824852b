export type { AppOptions } from './core/app.js'
export { Gatehouse } from './core/app.js'
export type { CompiledRoute } from './core/compile-route.js'
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
} from './core/dependency.js'
export { Depends, dependency, Security } from './core/dependency.js'
export type { ValidationErrorItem } from './core/errors.js'
export {
  HTTPException,
  RequestValidationError,
  ResponseValidationError,
} from './core/errors.js'
export type {
  BodyInput,
  BodyOptions,
  FormInput,
  FormOptions,
  HeaderOptions,
  InputSource,
  ParamInput,
  ParamLocation,
  ParamOptions,
  Schema,
} from './core/inputs.js'
export { Body, Cookie, Form, Header, Path, Query } from './core/inputs.js'
export type { RequestView } from './core/request-view.js'
export type { Logger } from './core/respond.js'
export type { IncludeOptions } from './core/route-collector.js'
export type {
  Handler,
  HandlerResult,
  HTTPMethod,
  ResponseDoc,
  RouteOptions,
} from './core/route-options.js'
export { Router } from './core/router.js'
export type { SecuritySchemeObject } from './core/security-scheme.js'
export { SecurityScheme } from './core/security-scheme.js'
export { SecurityScopes } from './core/security-scopes.js'
export type { Fetchable, RunningServer, ServeOptions } from './core/serve.js'
export { serve } from './core/serve.js'
export type { DocsOptions, DocsRoute } from './docs/index.js'
export { createDocsRoutes } from './docs/index.js'
export type {
  InvalidTokenCode,
  JWTAlgorithm,
  JWTCodec,
  JWTCodecOptions,
  JWTKey,
  JWTSignOptions,
  VerifiedToken,
} from './jwt/index.js'
export { createJWTCodec, InvalidTokenError, isInvalidTokenError } from './jwt/index.js'
export type { OpenAPIDocument } from './openapi/document.js'
export type { Argon2Parameters, PasswordHasher, PasswordHasherOptions } from './password/index.js'
export { createPasswordHasher } from './password/index.js'
export type { CurrentPrincipalOptions, ErrorStyle } from './resource-server/index.js'
export { bearerChallenge, createCurrentPrincipal } from './resource-server/index.js'
export type {
  APIKeyOptions,
  HTTPAuthorizationCredentials,
  HTTPBasicCredentials,
  HTTPBasicOptions,
  HTTPBearerOptions,
  OAuth2AuthorizationCodeBearerOptions,
  OAuth2AuthorizationCodeFlow,
  OAuth2ClientCredentialsFlow,
  OAuth2ClientCredentialsOptions,
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
