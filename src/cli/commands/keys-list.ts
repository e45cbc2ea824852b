import type { KeyRecord } from '../../authorization-server/store/records.js'
import type { Command } from '../command.js'
import { isoTime, table } from '../output.js'

/** A signing key as the CLI shows it: never the private part. */
export function keyInfo(key: KeyRecord) {
  return {
    kid: key.kid,
    algorithm: key.algorithm,
    active: key.retiredAt === null,
    created_at: isoTime(key.createdAt),
    retired_at: isoTime(key.retiredAt),
    /** When a retired key leaves the JWKS. */
    expires_at: isoTime(key.expiresAt),
  }
}

/** `gatehouse keys list [--json]`: the signing keys, oldest first, read without changing any. */
export const keysList: Command = {
  name: 'keys list',
  summary: 'List the signing keys (never their private parts)',
  arguments: [],
  options: {
    json: {
      type: 'boolean',
      description:
        'Print a JSON array of {"kid","algorithm","active","created_at","retired_at","expires_at"}',
    },
  },
  details: [
    'Retired keys stay in the JWKS until expires_at, when the last token they signed has expired.',
  ],
  async run({ options }, context) {
    const keys = (await (await context.store()).listKeys()).filter(
      (key) => key.purpose === 'signing',
    )
    const shown = keys.map(keyInfo)
    if (options.json) return context.out(JSON.stringify(shown))
    if (shown.length === 0)
      return context.note('no signing keys yet: the server makes one on first start')
    const rows = shown.map((key) => [
      key.kid,
      key.algorithm,
      key.active ? 'active' : 'retired',
      key.created_at,
      key.retired_at ?? '-',
      key.expires_at ?? '-',
    ])
    const header = ['KID', 'ALGORITHM', 'STATE', 'CREATED', 'RETIRED', 'PUBLISHED_UNTIL']
    for (const line of table(header, rows)) context.out(line)
  },
}
