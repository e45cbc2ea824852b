export type { APIKeyOptions } from './api-key.js'
export { APIKeyCookie, APIKeyHeader, APIKeyQuery } from './api-key.js'
export type {
  HTTPAuthorizationCredentials,
  HTTPBasicCredentials,
  HTTPBasicOptions,
  HTTPBearerOptions,
  HTTPSchemeObject,
} from './http.js'
export { HTTPBasic, HTTPBearer, HTTPDigest } from './http.js'
export type {
  OAuth2AuthorizationCodeFlow,
  OAuth2ClientCredentialsFlow,
  OAuth2FlowBase,
  OAuth2Flows,
  OAuth2ImplicitFlow,
  OAuth2Options,
  OAuth2PasswordFlow,
  OAuth2Scopes,
} from './oauth2.js'
export { OAuth2 } from './oauth2.js'
export type {
  BearerFlowOptions,
  OAuth2AuthorizationCodeBearerOptions,
  OAuth2ClientCredentialsOptions,
  OAuth2PasswordBearerOptions,
} from './oauth2-bearer.js'
export {
  OAuth2AuthorizationCodeBearer,
  OAuth2ClientCredentials,
  OAuth2PasswordBearer,
} from './oauth2-bearer.js'
export type { OpenIdConnectOptions } from './open-id-connect.js'
export { OpenIdConnect } from './open-id-connect.js'
export type { OAuth2PasswordRequest } from './password-form.js'
export { OAuth2PasswordRequestForm, OAuth2PasswordRequestFormStrict } from './password-form.js'
export type { SchemeOptions, SchemeValue } from './scheme-options.js'
