/**
 * Scopes accumulate down a dependency tree outermost first: inherited scopes keep their order and
 * each new scope is appended once. The plan (what `SecurityScopes` sees, the cache keys) and the
 * OpenAPI generator (the union of a requirement's scopes) both merge through this one function.
 * @returns `inherited` itself when nothing is new, so unchanged scope lists stay shared.
 */
export function mergeScopes(
  inherited: readonly string[],
  own: readonly string[],
): readonly string[] {
  let merged: string[] | undefined
  for (const scope of own) {
    if (inherited.includes(scope) || merged?.includes(scope)) continue
    merged ??= [...inherited]
    merged.push(scope)
  }
  return merged ?? inherited
}
