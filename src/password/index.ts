export type { Argon2Parameters } from './argon2.js'
export type { PasswordHasher, PasswordHasherOptions } from './hasher.js'
export { createPasswordHasher } from './hasher.js'
