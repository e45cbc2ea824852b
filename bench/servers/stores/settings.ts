import { createPasswordHasher } from 'gatehouse'

/** How the bench's authorization servers, and the bench's own set-up of their store, are configured. */
export const STORE_SERVER_SETTINGS = {
  issuer: 'https://auth.example.com',
  scopes: { read: 'Read your data' },
  defaultScopes: ['read'],
  // The logins that make refresh tokens are set-up, not measured: cheap hashes keep them quick.
  passwords: createPasswordHasher({ memoryCost: 1024, timeCost: 1, workers: 1 }),
  throttle: false,
} as const

/** The client and user the bench creates in every store. */
export const BENCH_CLIENT = {
  id: 'bench',
  grantTypes: ['client_credentials', 'password', 'refresh_token'],
} as const
export const BENCH_USER = { username: 'bench-user', password: 'bench-password' } as const
