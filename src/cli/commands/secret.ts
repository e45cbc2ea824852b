import { randomBytes } from 'node:crypto'
import type { Command } from '../command.js'
import { integerOption } from '../values.js'

/** `gatehouse secret [--bytes n] [--hex]`: a random key, base64url by default. */
export const secret: Command = {
  name: 'secret',
  summary: 'Print a random key: 32 bytes from the system CSPRNG, base64url',
  arguments: [],
  options: {
    bytes: {
      type: 'string',
      value: '<n>',
      description: 'How many random bytes, 32 to 1024; default 32 (256 bits)',
    },
    hex: { type: 'boolean', description: 'Print hexadecimal instead of base64url' },
  },
  details: [
    'Use it for keys.secret (HS256) or a session key, e.g. SECRET_KEY=$(gatehouse secret).',
    'Needs no database.',
  ],
  async run({ options }, context) {
    const bytes = integerOption(
      options.bytes,
      'bytes',
      { min: 32, max: 1024, fallback: 32 },
      'secret',
    )
    context.out(randomBytes(bytes).toString(options.hex ? 'hex' : 'base64url'))
  },
}
