/** A request path checked segment by segment, before any file system call. */
export interface CheckedPath {
  readonly segments: readonly string[]
  /** The path ended with `/` (or was empty): a folder is asked for. */
  readonly folder: boolean
}

/**
 * The segments of a path below the folder (already percent-decoded once by the router, so `%2F`
 * is a `/` here and `%252F` a literal `%2F` in a name), or `undefined` to refuse it: NUL,
 * backslashes, `.` and `..` segments, empty segments (`a//b`, a leading `/`), dotfiles unless
 * allowed, and on Windows `:` (drive letters, alternate data streams).
 */
export function checkPath(
  path: string,
  dotfiles: boolean,
  windows: boolean,
): CheckedPath | undefined {
  if (path === '') return { segments: [], folder: true }
  if (path.includes('\0') || path.includes('\\')) return undefined
  const segments = path.split('/')
  const folder = segments[segments.length - 1] === ''
  if (folder) segments.pop()
  for (const segment of segments) {
    if (segment === '' || segment === '.' || segment === '..') return undefined
    if (!dotfiles && segment.startsWith('.')) return undefined
    if (windows && segment.includes(':')) return undefined
  }
  return { segments, folder }
}

/** Whether `target` is `root` or below it (both absolute, normalized, as the platform spells them). */
export function isInside(root: string, target: string, separator: string): boolean {
  return target === root || target.startsWith(root.endsWith(separator) ? root : root + separator)
}

/** Whether a path relative to the folder has a dot-named segment (a symlink may lead into one). */
export function hasDotSegment(relative: string, separator: string): boolean {
  return relative.split(separator).some((segment) => segment.startsWith('.'))
}
