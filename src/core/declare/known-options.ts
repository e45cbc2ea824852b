/**
 * Refuse the first key of `options` that `known` does not list, naming it: a misspelt option
 * (`rootpath`, `headerTimeout`) would otherwise be ignored without a word.
 * @param owner what the options are for, the message's prefix (`serve`, `GET /items`).
 * @param path where nested options sit, put before the key (`keys.` for `keys.algo`).
 */
export function refuseUnknownOptions(
  owner: string,
  options: object,
  known: ReadonlySet<string>,
  noun = 'option',
  path = '',
): void {
  for (const key of Object.keys(options))
    if (!known.has(key)) throw new TypeError(`${owner}: unknown ${noun} \`${path}${key}\``)
}
