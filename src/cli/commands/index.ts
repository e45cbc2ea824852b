import type { Command } from '../command.js'
import { clientsCreate } from './clients-create.js'
import { clientsList } from './clients-list.js'
import { keysList } from './keys-list.js'
import { keysRotate } from './keys-rotate.js'
import { secret } from './secret.js'
import { usersCreate } from './users-create.js'
import { usersList } from './users-list.js'

/** Every command, in the order `gatehouse --help` lists them. */
export const commands: readonly Command[] = [
  usersCreate,
  usersList,
  clientsCreate,
  clientsList,
  keysRotate,
  keysList,
  secret,
]
