import { retiredKeyLifetime } from '../../authorization-server/context.js'
import {
  generateSigningKey,
  SIGNING_ALGORITHMS,
  type SigningAlgorithm,
} from '../../authorization-server/keys/key-material.js'
import type { Command } from '../command.js'
import { CLIError, usageError } from '../errors.js'
import { integerOption } from '../values.js'
import { keyInfo } from './keys-list.js'

const NAME = 'keys rotate'

/**
 * `gatehouse keys rotate [--algorithm alg] [--access-token-ttl seconds] [--json]`: retires the
 * active signing key (published until its tokens expired) and makes a new one active, in one
 * store operation; with no key yet, makes the first.
 */
export const keysRotate: Command = {
  name: NAME,
  summary: 'Retire the active signing key and make a new one',
  arguments: [],
  options: {
    algorithm: {
      type: 'string',
      value: 'alg',
      description: `The new key's algorithm (${SIGNING_ALGORITHMS.join(', ')}); default the active key's, EdDSA when there is none`,
    },
    'access-token-ttl': {
      type: 'string',
      value: '<seconds>',
      description:
        "The server's accessTokenTTL (default 900): the retired key stays published that long, plus three minutes",
    },
    json: {
      type: 'boolean',
      description: 'Print {"active": key, "retired": key or null} as JSON (keys as in keys list)',
    },
  },
  details: [
    'Running servers publish the new key within a minute (when they re-read the keys) and sign with it two minutes after the rotation.',
    "Use the server's keys.algorithm: a server configured for another replaces the key on start.",
  ],
  async run({ options }, context) {
    const algorithm = typeof options.algorithm === 'string' ? options.algorithm : undefined
    if (algorithm !== undefined && !SIGNING_ALGORITHMS.includes(algorithm as SigningAlgorithm))
      throw usageError(NAME, `--algorithm must be one of ${SIGNING_ALGORITHMS.join(', ')}`)
    const ttl = integerOption(
      options['access-token-ttl'],
      'access-token-ttl',
      { min: 1, max: 365 * 86_400, fallback: 900 },
      NAME,
    )
    const store = await context.store()
    const signing = async () => (await store.listKeys()).filter((key) => key.purpose === 'signing')
    const active = (await signing()).find((key) => key.retiredAt === null)
    const now = context.now()
    const next = await generateSigningKey(
      (algorithm ?? active?.algorithm ?? 'EdDSA') as SigningAlgorithm,
      now,
    )
    const done = active
      ? await store.rotateKey({
          purpose: 'signing',
          retire: { kid: active.kid, retiredAt: now, expiresAt: now + retiredKeyLifetime(ttl) },
          next,
        })
      : await store.addKeyIfNoneActive(next)
    if (!done)
      // A race another process won, as a lock held is: exit 5, to be run again.
      throw new CLIError('busy', 'another process changed the signing keys meanwhile; run again')
    const keys = await signing()
    const retired = active && keys.find((key) => key.kid === active.kid)
    const shown = {
      active: keyInfo(next),
      retired: retired ? keyInfo(retired) : null,
    }
    if (options.json) return context.out(JSON.stringify(shown))
    context.out(`active key ${shown.active.kid} (${shown.active.algorithm})`)
    if (shown.retired)
      context.out(`retired key ${shown.retired.kid}, published until ${shown.retired.expires_at}`)
  },
}
