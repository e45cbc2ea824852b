import type * as FS from 'node:fs'
import type { FileHandle } from 'node:fs/promises'
import type * as NodePath from 'node:path'
import * as z from 'zod/mini'
import { Gatehouse } from '../app/gatehouse.js'
import { PASSES_ERRORS } from '../app/mount.js'
import { Header, Path } from '../core/declare/inputs.js'
import { HTTPException } from '../core/errors/index.js'
import { entityTag, isNotModified } from './internal/conditional.js'
import { CONTENT_TYPES, extensionOf, UNKNOWN_TYPE } from './internal/content-types.js'
import { fileBody } from './internal/file-body.js'
import { checkPath, hasDotSegment, isInside } from './internal/safe-path.js'
import { resolveStaticOptions, type StaticFilesOptions } from './internal/static-options.js'

export type { StaticFilesOptions } from './internal/static-options.js'

/** File system errors that mean "there is nothing to serve here". */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ENAMETOOLONG', 'EACCES', 'EPERM', 'ELOOP', 'EISDIR'])

/**
 * Serve the files of a folder (Starlette's `StaticFiles`): mount the app it returns,
 * `app.mount('/static', staticFiles('public'))`. `GET` and `HEAD` only (other methods answer 405);
 * `Content-Type` by extension, `Content-Length`, a weak `ETag` and `Last-Modified` with 304 answers
 * to `If-None-Match`/`If-Modified-Since`, `Cache-Control` (`no-cache` unless `maxAge`), and file
 * bodies streamed 64 KiB at a time. Missing files answer 404 `{"detail":"Not Found"}`; mounted in a
 * Gatehouse app, its 404s and 405s go through that app's exception handlers, as in Starlette.
 *
 * Nothing outside the folder is reachable: NUL, backslashes, `.`/`..` segments (also when they
 * arrive percent-encoded), empty segments and dotfiles (unless `dotfiles: true`) are refused before
 * the file system is asked, and symbolic links are followed only when their target stays inside the
 * folder (and is no dotfile). Only regular files are served.
 * @example
 * app.mount('/static', staticFiles(fileURLToPath(new URL('./public', import.meta.url)), { maxAge: 3600 }))
 */
export function staticFiles(directory: string | URL, options: StaticFilesOptions = {}): Gatehouse {
  const settings = resolveStaticOptions(options)
  const fs = builtin<typeof FS>('node:fs')
  const path = builtin<typeof NodePath>('node:path')
  const root = rootFolder(fs, path, directory)
  const windows = path.sep === '\\'
  const cacheControl =
    settings.maxAge === undefined
      ? 'no-cache'
      : `public, max-age=${settings.maxAge}${settings.immutable ? ', immutable' : ''}`

  /** The real path of `candidate` when it is inside the folder, else `undefined`. */
  const realInside = async (candidate: string): Promise<string | undefined> => {
    const real = await fs.promises.realpath(candidate)
    if (!isInside(root, real, path.sep)) return undefined
    if (!settings.dotfiles && hasDotSegment(path.relative(root, real), path.sep)) return undefined
    return real
  }

  const serve = async (
    requested: string,
    head: boolean,
    { request, ...conditions }: Conditions & { request: Request },
  ) => {
    try {
      const checked = checkPath(requested, settings.dotfiles, windows)
      if (checked === undefined) throw new HTTPException(404)
      let real = await realInside(path.join(root, ...checked.segments))
      if (real === undefined) throw new HTTPException(404)
      let stats = await fs.promises.stat(real)
      if (stats.isDirectory()) {
        if (settings.index === false) throw new HTTPException(404)
        real = await realInside(path.join(real, settings.index))
        if (real === undefined) throw new HTTPException(404)
        stats = await fs.promises.stat(real)
        if (!stats.isFile()) throw new HTTPException(404)
        const last = checked.segments[checked.segments.length - 1]
        // Only once there is an index to serve (as Starlette): a 307 to a 404 is a wasted trip.
        // Relative, so it works wherever the folder is mounted: `docs` → `docs/`, query kept.
        if (!checked.folder && last !== undefined)
          return new Response(null, {
            status: 307,
            headers: { location: `${encodeURIComponent(last)}/${new URL(request.url).search}` },
          })
      } else if (checked.folder) throw new HTTPException(404)
      if (!stats.isFile()) throw new HTTPException(404)
      if (head || isFresh(stats, conditions)) return answer(real, stats, null, conditions)
      const handle = await openFile(fs, real)
      try {
        const opened = await handle.stat()
        if (!opened.isFile()) throw new HTTPException(404)
        const response = answer(real, opened, handle, conditions)
        if (response.body === null) await handle.close()
        return response
      } catch (error) {
        await handle.close()
        throw error
      }
    } catch (error) {
      if (ABSENT.has((error as NodeJS.ErrnoException).code ?? '')) throw new HTTPException(404)
      throw error
    }
  }

  const isFresh = (stats: FS.Stats, conditions: Conditions) =>
    isNotModified(
      conditions.ifNoneMatch,
      conditions.ifModifiedSince,
      entityTag(stats.size, stats.mtimeMs),
      stats.mtimeMs,
    )

  const answer = (
    file: string,
    stats: FS.Stats,
    handle: FileHandle | null,
    conditions: Conditions,
  ): Response => {
    const etag = entityTag(stats.size, stats.mtimeMs)
    const headers: Record<string, string> = {
      etag,
      'last-modified': stats.mtime.toUTCString(),
      'cache-control': cacheControl,
    }
    if (isFresh(stats, conditions)) return new Response(null, { status: 304, headers })
    const extension = extensionOf(path.basename(file))
    headers['content-type'] =
      settings.contentTypes[extension] ?? CONTENT_TYPES[extension] ?? UNKNOWN_TYPE
    headers['content-length'] = String(stats.size)
    headers['x-content-type-options'] = 'nosniff'
    return new Response(handle === null ? null : fileBody(handle, stats.size), { headers })
  }

  // No exception handlers of its own, as Starlette's StaticFiles: a 404 or 405 here is answered by
  // the mounting app's (one HTML 404 page for the site, an SPA's index for unknown paths).
  const app = new Gatehouse({ openapiUrl: null, redirectSlashes: false })[PASSES_ERRORS]()
  const conditionInputs = {
    ifNoneMatch: Header(z.optional(z.string())),
    ifModifiedSince: Header(z.optional(z.string())),
    request: Request,
  }
  const fileInputs = { ...conditionInputs, path: Path(z.string()) }
  for (const method of ['GET', 'HEAD'] as const) {
    const head = method === 'HEAD'
    app.route(method, '/', { inputs: conditionInputs }, (conditions) => serve('', head, conditions))
    app.route(method, '/{path:path}', { inputs: fileInputs }, ({ path: file, ...conditions }) =>
      serve(file, head, conditions),
    )
  }
  return app
}

interface Conditions {
  readonly ifNoneMatch: string | undefined
  readonly ifModifiedSince: string | undefined
}

/** Open read-only, not through a symlink swapped in since the check, never blocking on a FIFO. */
function openFile(fs: typeof FS, file: string): Promise<FileHandle> {
  const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants
  return fs.promises.open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
}

/** The folder's real, absolute path; a `TypeError` naming `directory` if it is not a folder. */
function rootFolder(fs: typeof FS, path: typeof NodePath, directory: string | URL): string {
  let folder: string
  if (directory instanceof URL) {
    if (directory.protocol !== 'file:')
      throw new TypeError('staticFiles: `directory` must be a path or a file: URL')
    folder = builtin<typeof import('node:url')>('node:url').fileURLToPath(directory)
  } else if (typeof directory === 'string' && directory !== '' && !directory.includes('\0'))
    folder = path.resolve(directory)
  else throw new TypeError('staticFiles: `directory` must be a path or a file: URL')
  try {
    const real = fs.realpathSync(folder)
    if (fs.statSync(real).isDirectory()) return real
  } catch {
    // Reported below, with the same message.
  }
  throw new TypeError(`staticFiles: \`directory\` ${JSON.stringify(folder)} is not a folder`)
}

/** A Node built-in, loaded when the folder is set up, so importing the package needs none. */
function builtin<T>(name: string): T {
  const get = typeof process === 'object' ? process.getBuiltinModule : undefined
  const module = typeof get === 'function' ? (get(name) as T | undefined) : undefined
  if (module === undefined) throw new TypeError(`staticFiles: this runtime has no ${name}`)
  return module
}
