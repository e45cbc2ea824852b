export type {
  CodeAnswer,
  GatehouseErrorCode,
  InvalidTokenCode,
  OAuth2ErrorCode,
} from './gatehouse-error.js'
export { ERROR_ANSWERS, GatehouseError, isGatehouseError } from './gatehouse-error.js'
export type { ValidationErrorItem } from './http.js'
export {
  BadRequestError,
  BodyTooLargeError,
  defaultReason,
  HTTPException,
  RequestAbortedError,
  RequestTimeoutError,
  RequestValidationError,
  ResponseValidationError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnsupportedContentEncodingError,
  UnsupportedMediaTypeError,
} from './http.js'
export { isOAuth2Error, OAuth2Error } from './oauth2.js'
export type { InsufficientScopeOptions } from './token.js'
export {
  InsufficientScopeError,
  InvalidTokenError,
  isInvalidTokenError,
  KeySourceUnavailableError,
} from './token.js'
