/** A route path parsed once: its parameter names, the engine pattern, and a matcher for redirects. */
export interface RoutePath {
  readonly path: string
  readonly params: ReadonlySet<string>
  /** Hono's syntax: `/items/:item_id`, `/files/:file_path{.+}`. */
  readonly enginePath: string
  readonly matcher: RegExp
}

const PARAM = /\{([A-Za-z_][A-Za-z0-9_]*)(?::(path))?\}/g

/**
 * A literal path character: RFC 3986 pchar (unreserved, sub-delims, `:`, `@`) without `*`, which
 * Hono reads as a wildcard, and `%`, since requests are matched decoded, so `/a%20b` could never
 * match; plus any non-ASCII character that is not a space or a control (RFC 3987 IRIs), matched
 * against the decoded request path. `?`, `#`, whitespace, `"`, `<`, `>`, `\`, `^`, `` ` ``, `|`,
 * `[`, `]` are not path characters at all; `{`/`}` only delimit parameters.
 */
const LITERAL = /^(?:[A-Za-z0-9\-._~!$&'()+,;=:@/]|[^\p{White_Space}\p{C}\p{ASCII}])*$/u

/**
 * Parse a FastAPI/OpenAPI style path (`/items/{item_id}`, `/files/{file_path:path}`).
 * @throws TypeError naming `routeName`, for a path that does not start with `/`, repeats a
 * parameter, has stray braces, a parameter that is not a whole segment, Hono's syntax (`:id` at
 * the start of a segment, `*`), a `.`/`..` segment, or a character that is not a literal.
 */
export function parseRoutePath(path: string, routeName = 'route path'): RoutePath {
  const fail = (reason: string) => new TypeError(`${routeName}: ${reason}`)
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw fail(`the path must start with "/": ${JSON.stringify(path)}`)
  const params = new Set<string>()
  let enginePath = ''
  let pattern = ''
  let last = 0
  for (const match of path.matchAll(PARAM)) {
    const [whole, name = '', converter] = match
    if (params.has(name)) throw fail(`the path repeats the parameter {${name}}`)
    params.add(name)
    const end = match.index + whole.length
    // Hono's parameters span whole segments: in `/{name}.txt` it would name one "name.txt".
    if (path[match.index - 1] !== '/' || (end < path.length && path[end] !== '/'))
      throw fail(`{${name}} must be a whole path segment, as in /files/{${name}}`)
    const literal = path.slice(last, match.index)
    enginePath += literal + (converter === 'path' ? `:${name}{.+}` : `:${name}`)
    pattern += escapeRegExp(literal) + (converter === 'path' ? '.+' : '[^/]+')
    last = end
  }
  const rest = path.slice(last)
  enginePath += rest
  pattern += escapeRegExp(rest)
  const literals = path.replace(PARAM, '')
  if (/[{}]/.test(literals)) throw fail('the path has a malformed {parameter}')
  checkLiterals(literals, fail)
  return { path, params, enginePath, matcher: new RegExp(`^${pattern}$`) }
}

/** Refuses what would not match literally: Hono's syntax, unreachable segments, non-path characters. */
function checkLiterals(literals: string, fail: (reason: string) => TypeError): void {
  if (/(^|\/):/.test(literals))
    throw fail('":" starts a segment (Hono\'s :param syntax); write {name} for a parameter')
  if (literals.includes('*'))
    throw fail('"*" is Hono\'s wildcard; write {name:path} for the rest of the path')
  // Clients and URL parsers resolve these before sending (RFC 3986 §5.2.4): never reachable.
  if (/(^|\/)\.\.?(\/|$)/.test(literals)) throw fail('"." and ".." segments can never be requested')
  const bad = [...literals].find((char) => !LITERAL.test(char))
  if (bad !== undefined) {
    const code = bad.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')
    const shown = /^[!-~]$/.test(bad) ? JSON.stringify(bad) : `U+${code}`
    throw fail(
      `${shown} cannot be part of a literal path (a query, a fragment, a space or an escape)`,
    )
  }
}

/** The OpenAPI form of a path: `{file_path:path}` becomes `{file_path}`. */
export function openAPIPath(path: string): string {
  return path.replace(PARAM, '{$1}')
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
