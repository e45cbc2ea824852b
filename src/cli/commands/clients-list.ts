import type { Command } from '../command.js'
import { cell, isoTime, table } from '../output.js'

/** `gatehouse clients list [--json]`: never the secrets or their hashes. */
export const clientsList: Command = {
  name: 'clients list',
  summary: 'List the registered clients (never their secrets)',
  arguments: [],
  options: {
    json: {
      type: 'boolean',
      description:
        'Print a JSON array of {"client_id","name","public","grant_types","redirect_uris","scopes","created_at","self_registered"}',
    },
  },
  async run({ options }, context) {
    const clients = await (await context.store()).listClients()
    const shown = clients.map((client) => ({
      client_id: client.id,
      name: client.name,
      public: client.secretHash === null,
      grant_types: [...client.grantTypes],
      redirect_uris: [...client.redirectUris],
      scopes: [...client.scopes],
      created_at: isoTime(client.createdAt),
      // Registered itself through open dynamic registration, not by an administrator.
      self_registered: client.selfRegistered === true,
    }))
    if (options.json) return context.out(JSON.stringify(shown))
    if (shown.length === 0)
      return context.note('no clients yet: gatehouse clients create <client_id> --grant-types …')
    const rows = shown.map((client) => [
      client.client_id,
      client.public ? 'public' : 'confidential',
      cell(client.grant_types, ','),
      cell(client.scopes),
      cell(client.redirect_uris, ','),
      client.name ?? '-',
      client.created_at,
    ])
    const header = [
      'CLIENT_ID',
      'TYPE',
      'GRANT_TYPES',
      'SCOPES',
      'REDIRECT_URIS',
      'NAME',
      'CREATED',
    ]
    for (const line of table(header, rows)) context.out(line)
  },
}
