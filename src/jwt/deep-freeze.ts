/**
 * Freezes `value` and every object and array inside it: a verified token's claims are shared by
 * every request that hits a cache, so a nested claim (`aud`, `realm_access.roles`) changed by one
 * must not be what the next one sees. Claims come from JSON, so there are no cycles.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const item of Object.values(value)) deepFreeze(item)
  }
  return value
}
