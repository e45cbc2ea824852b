export { bearerChallenge } from '../core/errors/bearer-challenge.js'
export type { CurrentPrincipalOptions } from './current-principal.js'
export { createCurrentPrincipal } from './current-principal.js'
export type { ErrorStyle } from './error-style.js'
export { createIntrospectionVerifier } from './introspection.js'
export type { IntrospectionVerifierOptions } from './introspection-options.js'
export type {
  ProtectedResourceMetadata,
  ProtectedResourceOptions,
} from './protected-resource-metadata.js'
export {
  mountProtectedResourceMetadata,
  protectedResourceMetadata,
  protectedResourceMetadataURL,
} from './protected-resource-metadata.js'
