export type { ErrorStyle } from './bearer-challenge.js'
export { bearerChallenge } from './bearer-challenge.js'
export type { CurrentPrincipalOptions } from './current-principal.js'
export { createCurrentPrincipal } from './current-principal.js'
