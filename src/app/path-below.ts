/**
 * The part of a request path below a mount prefix. The router matched the prefix on the decoded
 * path, while `path` is still percent-encoded (`/%61pi/items` under `/api`), so the prefix's
 * segments are cut, not its characters: decoding never makes or removes a `/` (`%2F` stays encoded).
 */
export function pathBelow(path: string, prefix: string): string {
  let end = 0
  for (let segments = prefix.split('/').length - 1; segments > 0 && end !== -1; segments--)
    end = path.indexOf('/', end + 1)
  return end === -1 ? '/' : path.slice(end)
}
