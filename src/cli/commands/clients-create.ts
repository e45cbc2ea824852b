import { createAdministration, takenInAnyCase } from '../../authorization-server/admin.js'
import type { GrantType } from '../../authorization-server/store/records.js'
import type { Command } from '../command.js'
import { openedOnUse } from '../database.js'
import { CLIError, usageError } from '../errors.js'
import { adminMessage, listOption, scopesOption } from '../values.js'

const NAME = 'clients create'
const GRANT_TYPES: readonly string[] = [
  'authorization_code',
  'client_credentials',
  'password',
  'refresh_token',
]

/**
 * `gatehouse clients create <client_id> [--public] --grant-types g1,g2 [--redirect-uris u1,u2]
 * [--scopes "a b"] [--name text] [--json]`: the secret is printed this once.
 */
export const clientsCreate: Command = {
  name: NAME,
  summary: 'Register a client; its secret is printed once',
  arguments: ['client_id'],
  options: {
    'grant-types': {
      type: 'string',
      value: 'g1,g2',
      required: true,
      description: `Grants the client may use, comma-separated: ${GRANT_TYPES.join(', ')}`,
    },
    public: {
      type: 'boolean',
      description: 'A public client (browser or native app): no secret, PKCE required',
    },
    'redirect-uris': {
      type: 'string',
      value: 'u1,u2',
      description: 'Redirect URIs for authorization_code, comma-separated, compared exactly',
    },
    scopes: {
      type: 'string',
      value: '"a b"',
      description: 'Scopes the client may ever be granted, space-separated; default none',
    },
    name: { type: 'string', value: 'text', description: 'A name shown on consent pages' },
    json: {
      type: 'boolean',
      description: 'Print {"client_id","client_secret"} as JSON (no client_secret when --public)',
    },
  },
  details: [
    'The secret (256 random bits, base64url) is shown only now: only its keyed hash is stored.',
    '',
    'Example:',
    '  gatehouse clients create reports --grant-types client_credentials --scopes read --json',
  ],
  async run({ options, positionals }, context) {
    const id = positionals[0] as string
    const grantTypes = listOption(options['grant-types'])
    const unknown = grantTypes.find((grant) => !GRANT_TYPES.includes(grant))
    if (grantTypes.length === 0 || unknown !== undefined)
      throw usageError(
        NAME,
        `${unknown === undefined ? '--grant-types is empty' : `unknown grant type ${JSON.stringify(unknown)}`}; use some of ${GRANT_TYPES.join(', ')}`,
      )
    const scopes = scopesOption(options.scopes, NAME)
    const redirectUris = listOption(options['redirect-uris'])
    const store = openedOnUse(context.store)
    const taken = () =>
      new CLIError('conflict', `a client with id ${JSON.stringify(id)} already exists`)
    // No look-up first: a bad value is a usage error (2) even for a taken id, and the store's
    // refusal of a taken id is what settles a race anyway.
    const admin = createAdministration({ store, now: context.now })
    let created: Awaited<ReturnType<typeof admin.createClient>>
    try {
      created = await admin.createClient({
        id,
        public: options.public === true,
        grantTypes: grantTypes as GrantType[],
        redirectUris,
        scopes,
        ...(typeof options.name === 'string' ? { name: options.name } : {}),
      })
    } catch (error) {
      if (error instanceof TypeError) throw usageError(NAME, adminMessage(error))
      if (await store.findClient(id)) throw taken()
      // As the administration looked for it: as written, in lower and in upper case.
      if (await takenInAnyCase(id, (spelling) => store.findUserById(spelling)))
        throw new CLIError(
          'conflict',
          `a user has the id ${JSON.stringify(id)}; a client needs another, since its own tokens carry its id as their subject`,
        )
      throw error
    }
    const { clientSecret } = created
    if (options.json) {
      const answer =
        clientSecret === undefined
          ? { client_id: id }
          : { client_id: id, client_secret: clientSecret }
      return context.out(JSON.stringify(answer))
    }
    context.out(`client_id      ${id}`)
    if (clientSecret === undefined) return context.note('a public client: it has no secret')
    context.out(`client_secret  ${clientSecret}`)
    context.note('Store the secret now: it is not shown again (only its keyed hash is kept).')
  },
}
