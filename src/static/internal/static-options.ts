import { refuseUnknownOptions } from '../../core/declare/known-options.js'
/** Settings of {@link staticFiles}. */
export interface StaticFilesOptions {
  /**
   * The file served for a folder (`/static/docs/` → `docs/index.html`); `false` answers 404 for
   * folders. A folder with an index, asked for without its trailing slash, is redirected (307) to
   * it, so relative links in the page work; one without answers 404. Default `'index.html'`.
   */
  index?: string | false | undefined
  /** Serve files and folders whose name starts with `.`; default false (404). */
  dotfiles?: boolean | undefined
  /**
   * Seconds browsers and caches may reuse a file without asking
   * (`Cache-Control: public, max-age=N`). Without it: `no-cache`, i.e. always revalidate, which the
   * `ETag` makes a cheap 304.
   */
  maxAge?: number | undefined
  /** Add `immutable` to `Cache-Control`, for file names that change with their content; needs `maxAge`. */
  immutable?: boolean | undefined
  /** Content types by extension, over the built-in table: `{ '.webmanifest': 'application/manifest+json' }`. */
  contentTypes?: Readonly<Record<string, string>> | undefined
}

/** Options resolved once, at set-up. */
export interface StaticSettings {
  readonly index: string | false
  readonly dotfiles: boolean
  readonly maxAge: number | undefined
  readonly immutable: boolean
  readonly contentTypes: Readonly<Record<string, string>>
}

const KNOWN = new Set(['index', 'dotfiles', 'maxAge', 'immutable', 'contentTypes'])
const MEDIA_TYPE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\/[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:\s*;[^\r\n]*)?$/

/** Check the options; every mistake is a `TypeError` naming the option. */
export function resolveStaticOptions(options: StaticFilesOptions): StaticSettings {
  refuseUnknownOptions('staticFiles', options, KNOWN)
  const index = options.index ?? 'index.html'
  if (
    index !== false &&
    (typeof index !== 'string' || index === '' || /[/\\\0]/.test(index) || index.startsWith('.'))
  )
    throw new TypeError(
      'staticFiles: `index` must be a file name (no slashes, not a dotfile) or false',
    )
  const dotfiles = options.dotfiles ?? false
  if (typeof dotfiles !== 'boolean')
    throw new TypeError('staticFiles: `dotfiles` must be a boolean')
  const { maxAge } = options
  if (maxAge !== undefined && (!Number.isSafeInteger(maxAge) || maxAge < 0))
    throw new TypeError('staticFiles: `maxAge` must be a non-negative integer (seconds)')
  const immutable = options.immutable ?? false
  if (typeof immutable !== 'boolean')
    throw new TypeError('staticFiles: `immutable` must be a boolean')
  if (immutable && maxAge === undefined)
    throw new TypeError('staticFiles: `immutable` needs `maxAge` (how long the file stays fresh)')
  const contentTypes: Record<string, string> = {}
  for (const [extension, type] of Object.entries(options.contentTypes ?? {})) {
    if (!/^\.[^./\\]+$/.test(extension) || typeof type !== 'string' || !MEDIA_TYPE.test(type))
      throw new TypeError(
        `staticFiles: \`contentTypes\` maps extensions such as ".webmanifest" to media types: ${JSON.stringify(extension)}`,
      )
    contentTypes[extension.toLowerCase()] = type
  }
  return { index, dotfiles, maxAge, immutable, contentTypes }
}
