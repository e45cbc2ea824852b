import type { Middleware, MiddlewareContext } from '../app/middleware.js'
import { type CORSOptions, type CORSSettings, resolveCORSOptions } from './internal/cors-options.js'
import { addVary, splitList, TOKEN } from './internal/header-lists.js'

export type { CORSOptions } from './internal/cors-options.js'

const PREFLIGHT_VARY = ['Origin', 'Access-Control-Request-Method', 'Access-Control-Request-Headers']

/**
 * Cross-origin resource sharing, as the Fetch standard's CORS protocol describes it. A preflight
 * (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered before routing: 204 with
 * the allow headers for an allowed origin asking for allowed methods and headers, 403
 * `{"detail": …}` without any for another origin or an unlisted method or header (the browser
 * blocks the real request either way; the 403 says why to whoever reads the network log, and the
 * route never runs). Every other answer, errors included, gets `Access-Control-Allow-Origin` for an
 * allowed origin and `Vary: Origin`. CORS only decides what browser scripts may read: it stops no
 * request from reaching the server, so it is no protection against CSRF.
 * @example
 * app.use(cors({
 *   origin: ['https://app.example.com'],
 *   credentials: true,
 *   // Let the browser client read a 401's `WWW-Authenticate` challenge.
 *   exposeHeaders: ['WWW-Authenticate'],
 * }))
 */
export function cors(options: CORSOptions): Middleware {
  const settings = resolveCORSOptions(options)
  const { allows, credentials, expose } = settings
  return async (ctx, next) => {
    const origin = ctx.request.header('origin')
    if (
      origin !== undefined &&
      ctx.request.method === 'OPTIONS' &&
      ctx.request.header('access-control-request-method') !== undefined
    ) {
      ctx.response = preflight(ctx, origin, settings)
      return
    }
    await next()
    if (allows === '*') {
      ctx.setHeader('access-control-allow-origin', '*')
    } else {
      addVary(ctx, ['Origin'])
      if (origin === undefined || !allows(origin)) return
      ctx.setHeader('access-control-allow-origin', origin)
      if (credentials) ctx.setHeader('access-control-allow-credentials', 'true')
    }
    if (expose) ctx.setHeader('access-control-expose-headers', expose)
  }
}

function preflight(ctx: MiddlewareContext, origin: string, settings: CORSSettings): Response {
  const headers = new Headers({ vary: PREFLIGHT_VARY.join(', ') })
  if (settings.allows !== '*' && !settings.allows(origin))
    return Response.json(
      { detail: 'CORS: this origin may not call this API' },
      { status: 403, headers },
    )
  const refused = refusedAsk(ctx, settings)
  if (refused !== undefined)
    return Response.json({ detail: `CORS: ${refused}` }, { status: 403, headers })
  headers.set('access-control-allow-origin', settings.allows === '*' ? '*' : origin)
  if (settings.credentials) headers.set('access-control-allow-credentials', 'true')
  const method = settings.methods ?? askedMethod(ctx)
  if (method !== undefined) headers.set('access-control-allow-methods', method)
  const allowHeaders = settings.headers ?? askedHeaders(ctx)
  if (allowHeaders !== undefined) headers.set('access-control-allow-headers', allowHeaders)
  headers.set('access-control-max-age', settings.maxAge)
  return new Response(null, { status: 204, headers })
}

// Methods a browser sends without asking: a preflight for one (because of a header) needs no listing.
const SAFELISTED_METHODS = new Set(['GET', 'HEAD', 'POST'])

/**
 * Why a preflight from an allowed origin asks for more than the lists allow, or `undefined`: a
 * method or a header not listed is a 403 saying which, as Starlette refuses it (with a 400), rather
 * than a 204 whose allow lists the browser would then find wanting, leaving only a console error.
 */
function refusedAsk(ctx: MiddlewareContext, settings: CORSSettings): string | undefined {
  const method = ctx.request.header('access-control-request-method')?.trim() ?? ''
  if (settings.methodSet && !settings.methodSet.has(method) && !SAFELISTED_METHODS.has(method))
    return 'this method may not be used here'
  const asked = ctx.request.header('access-control-request-headers')
  if (settings.headerSet && asked !== undefined) {
    const { headerSet } = settings
    const unlisted = splitList(asked).filter((name) => !headerSet.has(name.toLowerCase()))
    if (unlisted.length > 0)
      return TOKEN.test(unlisted.join(''))
        ? `these request headers may not be sent: ${unlisted.join(', ').toLowerCase()}`
        : 'these request headers may not be sent'
  }
  return undefined
}

/** The asked method, echoed only if it is a method name (never arbitrary bytes). */
function askedMethod(ctx: MiddlewareContext): string | undefined {
  const asked = ctx.request.header('access-control-request-method')?.trim()
  return asked !== undefined && TOKEN.test(asked) ? asked : undefined
}

/** The asked headers, echoed only if each is a header name; otherwise none are allowed. */
function askedHeaders(ctx: MiddlewareContext): string | undefined {
  const asked = ctx.request.header('access-control-request-headers')
  if (asked === undefined) return undefined
  const names = splitList(asked)
  if (names.length === 0 || !names.every((name) => TOKEN.test(name))) return undefined
  return names.join(', ')
}
