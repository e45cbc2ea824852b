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
 * Parse a FastAPI/OpenAPI style path (`/items/{item_id}`, `/files/{file_path:path}`).
 * @throws TypeError for paths that do not start with `/`, repeat a parameter or contain stray braces.
 */
export function parseRoutePath(path: string): RoutePath {
  if (typeof path !== 'string' || !path.startsWith('/'))
    throw new TypeError(`route path must start with "/": ${JSON.stringify(path)}`)
  const params = new Set<string>()
  let enginePath = ''
  let pattern = ''
  let last = 0
  for (const match of path.matchAll(PARAM)) {
    const [whole, name = '', converter] = match
    if (params.has(name)) throw new TypeError(`route path repeats the parameter {${name}}: ${path}`)
    params.add(name)
    const literal = path.slice(last, match.index)
    enginePath += literal + (converter === 'path' ? `:${name}{.+}` : `:${name}`)
    pattern += escapeRegExp(literal) + (converter === 'path' ? '.+' : '[^/]+')
    last = match.index + whole.length
  }
  const rest = path.slice(last)
  enginePath += rest
  pattern += escapeRegExp(rest)
  if (/[{}]/.test(enginePath.replace(/:[A-Za-z_][A-Za-z0-9_]*\{\.\+\}/g, '')))
    throw new TypeError(`route path has a malformed {parameter}: ${path}`)
  return { path, params, enginePath, matcher: new RegExp(`^${pattern}$`) }
}

/** The OpenAPI form of a path: `{file_path:path}` becomes `{file_path}`. */
export function openAPIPath(path: string): string {
  return path.replace(PARAM, '{$1}')
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
