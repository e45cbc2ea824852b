import { StringDecoder } from 'node:string_decoder'
import { usageError } from './errors.js'

/** More than any password; stops a mistaken pipe of a whole file early. */
const MAX_PASSWORD_BYTES = 4096

/**
 * Reads a password from standard input, to its end: one trailing newline (`\n` or `\r\n`) is
 * dropped, as `echo` and here-strings add one; anything else, spaces included, is the password.
 * From a terminal, it is typed instead: not echoed, after a prompt on `tell`, ended by Enter.
 * @example
 * const password = await readPassword(process.stdin, 'users create')
 */
export async function readPassword(
  stdin: AsyncIterable<string | Buffer>,
  command: string,
  tell: (line: string) => void = () => {},
): Promise<string> {
  if (isTerminal(stdin)) return readFromTerminal(stdin, command, tell)
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

/** A terminal's standard input, as far as reading a password needs. */
interface Terminal extends AsyncIterable<string | Buffer> {
  readonly isTTY: true
  setRawMode(raw: boolean): unknown
}

function isTerminal(stdin: AsyncIterable<string | Buffer>): stdin is Terminal {
  const candidate = stdin as Partial<Terminal>
  return candidate.isTTY === true && typeof candidate.setRawMode === 'function'
}

/**
 * Typed at a terminal, a password would be shown as it is typed and stay in the scrollback, and
 * nothing would say that the input ends at Ctrl-D: so the terminal is put in raw mode (no echo)
 * and the password ends at Enter, as `passwd` reads one. Backspace erases; Ctrl-C cancels.
 */
async function readFromTerminal(
  stdin: Terminal,
  command: string,
  tell: (line: string) => void,
): Promise<string> {
  tell('Password (not shown as you type; Enter to finish):')
  const decoder = new StringDecoder('utf8')
  const typed: string[] = []
  let bytes = 0
  stdin.setRawMode(true)
  try {
    for await (const chunk of stdin) {
      const text = typeof chunk === 'string' ? chunk : decoder.write(chunk)
      for (const character of text) {
        if (character === '\r' || character === '\n' || character === '\u0004') {
          const password = typed.join('')
          if (password === '') throw usageError(command, 'the password typed is empty')
          return password
        }
        if (character === '\u0003') throw usageError(command, 'cancelled')
        if (character === '\u007f' || character === '\b') {
          const erased = typed.pop()
          if (erased !== undefined) bytes -= Buffer.byteLength(erased)
        } else {
          typed.push(character)
          bytes += Buffer.byteLength(character)
        }
        if (bytes > MAX_PASSWORD_BYTES)
          throw usageError(command, `the password typed is over ${MAX_PASSWORD_BYTES} bytes`)
      }
    }
    throw usageError(command, 'the password typed is empty')
  } finally {
    stdin.setRawMode(false)
  }
}
