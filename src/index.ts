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
export type { OpenAPIDocument } from './openapi/document.js'
