import type { RouteRecord } from '../core/declare/route-options.js'

/**
 * `record` as an app whose browser-facing base is `base` (its root path; such routes never go in
 * a mounted app) serves it. An anchored route (see `RouteRecord.anchor`) is where a browser finds
 * it, so the app sees it without `base`; one outside `base` (RFC 8414 metadata sits at the origin's
 * `/.well-known/…`) keeps its path, for a proxy that sends it on unchanged. An anchor outside `base`
 * could never be reached at its own URL: a set-up mistake.
 */
export function placeAnchored(record: RouteRecord, base: string): RouteRecord {
  const { anchor } = record
  if (anchor === undefined || base === '') return record
  if (!within(anchor, base))
    throw new TypeError(
      `${record.method} ${record.path}: its path is fixed under ${anchor || '/'} (an authorization server's issuer), which is outside this app's root path (${base}); give the issuer a path under ${base}, or include the router in an app that is not under it`,
    )
  if (!within(record.path, base)) return record
  return { ...record, path: record.path.slice(base.length) || '/' }
}

function within(path: string, base: string): boolean {
  return path === base || path.startsWith(`${base}/`)
}
