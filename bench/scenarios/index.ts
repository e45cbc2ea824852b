import type { Scenario } from '../lib/scenario.js'
import { items } from './items.js'
import { loginFlood } from './login-flood.js'
import { loginTiming } from './login-timing.js'
import { logins } from './logins.js'
import { memory } from './memory.js'
import { stores } from './stores.js'
import { tokens } from './tokens.js'
import { usersMe } from './users-me.js'
import { verify } from './verify.js'

/** Every scenario, in the order `npm run bench` runs them. Add new ones here. */
export const scenarios: readonly Scenario[] = [
  items,
  usersMe,
  memory,
  logins,
  verify,
  loginTiming,
  loginFlood,
  stores,
  tokens,
]
