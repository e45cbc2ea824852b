import type { Command } from '../command.js'
import { cell, isoTime, table } from '../output.js'

/** `gatehouse users list [--json]`: never the password hashes. */
export const usersList: Command = {
  name: 'users list',
  summary: 'List the users (never their password hashes)',
  arguments: [],
  options: {
    json: {
      type: 'boolean',
      description:
        'Print a JSON array of {"id","username","scopes","disabled","has_password","created_at"}',
    },
  },
  async run({ options }, context) {
    const users = await (await context.store()).listUsers()
    const shown = users.map((user) => ({
      id: user.id,
      username: user.username,
      scopes: [...user.scopes],
      disabled: user.disabled,
      has_password: user.passwordHash !== null,
      created_at: isoTime(user.createdAt),
    }))
    if (options.json) return context.out(JSON.stringify(shown))
    if (shown.length === 0) return context.note('no users yet: gatehouse users create <username>')
    const rows = shown.map((user) => [
      user.username,
      user.id,
      cell(user.scopes),
      user.disabled ? 'disabled' : 'active',
      user.has_password ? 'yes' : 'no',
      user.created_at,
    ])
    for (const line of table(['USERNAME', 'ID', 'SCOPES', 'STATE', 'PASSWORD', 'CREATED'], rows))
      context.out(line)
  },
}
