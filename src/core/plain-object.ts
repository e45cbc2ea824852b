/** Whether `value` is an object with keys (not `null`, not an array): a JSON object, an options bag. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
