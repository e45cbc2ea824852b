/** The longest delay Node's timers take, in milliseconds: a longer one is set to 1 ms. */
export const MAX_TIMER = 2 ** 31 - 1

/**
 * Refuse options that are not an object, or the first key of them that `known` does not list,
 * naming it: a misspelt option (`rootpath`, `headerTimeout`) would otherwise be ignored without a
 * word.
 * @param owner what the options are for, the message's prefix (`serve`, `GET /items`).
 * @param path where nested options sit, put before the key (`keys.` for `keys.algo`).
 */
export function refuseUnknownOptions(
  owner: string,
  options: unknown,
  known: ReadonlySet<string>,
  noun = 'option',
  path = '',
): asserts options is object {
  if (options === null || typeof options !== 'object')
    throw new TypeError(
      `${owner}: \`${path === '' ? 'options' : path.slice(0, -1)}\` must be an object`,
    )
  for (const key of Object.keys(options))
    if (!known.has(key)) throw new TypeError(`${owner}: unknown ${noun} \`${path}${key}\``)
}
