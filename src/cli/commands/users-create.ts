import { createAdministration } from '../../authorization-server/admin.js'
import { normalizeUsername, usernameProblem } from '../../authorization-server/users/username.js'
import type { Command } from '../command.js'
import { openedOnUse } from '../database.js'
import { CLIError, usageError } from '../errors.js'
import { readPassword } from '../password-input.js'
import { adminMessage, scopesOption } from '../values.js'

const NAME = 'users create'

/** `gatehouse users create <username> --password-stdin [--scopes "a b"] [--disabled] [--json]` */
export const usersCreate: Command = {
  name: NAME,
  summary: 'Create a user; the password is read from standard input',
  arguments: ['username'],
  options: {
    'password-stdin': {
      type: 'boolean',
      required: true,
      description:
        'Read the password from standard input, to its end (one trailing newline is dropped); at a terminal, typed without echo, up to Enter',
    },
    scopes: {
      type: 'string',
      value: '"a b"',
      description: 'Scopes the user may ever be granted, space-separated; default none',
    },
    disabled: { type: 'boolean', description: 'Create the user disabled: they cannot log in' },
    json: {
      type: 'boolean',
      description: 'Print {"id","username","scopes","disabled"} as JSON',
    },
  },
  details: [
    'The password (at most 1,024 characters) is hashed with Argon2id; it is never taken on the',
    'command line.',
    '',
    'Example:',
    `  printf '%s' "$PASSWORD" | gatehouse users create ada --password-stdin --scopes "read write"`,
  ],
  async run({ options, positionals }, context) {
    // Checked before the lookup: U+FFFD (bytes that were not UTF-8) would find another user.
    const problem = usernameProblem(positionals[0])
    if (problem !== undefined) throw usageError(NAME, `<username> ${problem}`)
    const username = normalizeUsername(positionals[0] as string)
    const scopes = scopesOption(options.scopes, NAME)
    const password = await readPassword(context.stdin, NAME, context.note)
    // Opened only once the administration has checked every value (scopes, the password's length),
    // so a usage error touches nothing; a taken username is found by the store's refusal.
    const store = openedOnUse(context.store)
    const taken = () =>
      new CLIError('conflict', `a user named ${JSON.stringify(username)} already exists`)
    const admin = createAdministration({ store, now: context.now })
    let user: Awaited<ReturnType<typeof admin.createUser>>
    try {
      user = await admin.createUser({
        username,
        password,
        scopes,
        disabled: options.disabled === true,
      })
    } catch (error) {
      // A bad value (TypeError) or a password past the hasher's length bound (RangeError).
      if (error instanceof TypeError || error instanceof RangeError)
        throw usageError(NAME, adminMessage(error))
      // Taken (the store refused it), also by another process just now.
      if (await store.findUserByUsername(username)) throw taken()
      throw error
    }
    if (options.json) {
      const { id, scopes: granted, disabled } = user
      context.out(JSON.stringify({ id, username: user.username, scopes: granted, disabled }))
    } else
      context.out(
        `created user ${user.username} (id ${user.id})${user.disabled ? ', disabled' : ''}`,
      )
  },
}
