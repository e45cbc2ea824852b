export type { ErrorStyle } from './bearer-challenge.js'
export { bearerChallenge } from './bearer-challenge.js'
export type { CurrentPrincipalOptions } from './current-principal.js'
export { createCurrentPrincipal } from './current-principal.js'
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
