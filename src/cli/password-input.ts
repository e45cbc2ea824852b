import { usageError } from './errors.js'

/** More than any password; stops a mistaken pipe of a whole file early. */
const MAX_PASSWORD_BYTES = 4096

/**
 * Reads a password from standard input, to its end: one trailing newline (`\n` or `\r\n`) is
 * dropped, as `echo` and here-strings add one; anything else, spaces included, is the password.
 * @example
 * const password = await readPassword(process.stdin, 'users create')
 */
export async function readPassword(
  stdin: AsyncIterable<string | Buffer>,
  command: string,
): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    size += bytes.length
    if (size > MAX_PASSWORD_BYTES)
      throw usageError(
        command,
        `the password on standard input is over ${MAX_PASSWORD_BYTES} bytes`,
      )
    chunks.push(bytes)
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
  } catch {
    throw usageError(command, 'the password on standard input is not valid UTF-8')
  }
  const password = text.replace(/\r?\n$/, '')
  if (password === '') throw usageError(command, 'the password on standard input is empty')
  return password
}
