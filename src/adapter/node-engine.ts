import type { IncomingMessage, ServerResponse } from 'node:http'
import { RegExpRouter } from 'hono/router/reg-exp-router'
import { SmartRouter } from 'hono/router/smart-router'
import { TrieRouter } from 'hono/router/trie-router'
import { getPath, tryDecodeURIComponent } from 'hono/utils/url'
import type { PlainReply, Reply } from '../core/run/respond.js'
import {
  allowedMethods,
  type EngineHooks,
  type EngineRoute,
  methodNotAllowed,
} from './engine-route.js'
import { NodeRequestView } from './node-request.js'

type Entry = (view: NodeRequestView, params: Record<string, string>) => Reply | Promise<Reply>

/**
 * The Node engine behind `serve(app)`: Hono's own router (the same matcher `app.fetch` uses), fed
 * straight from `node:http` without building a Web `Request`/`Response` per request. Same order as
 * the Web engine: routes as declared, then a 405 catch-all per path, then the not-found hook.
 */
export function createNodeListener(
  routes: readonly EngineRoute[],
  hooks: EngineHooks,
): (incoming: IncomingMessage, outgoing: ServerResponse) => void {
  // Hono's default: the fast RegExpRouter, or the TrieRouter for patterns it cannot compile.
  const router = new SmartRouter<Entry>({ routers: [new RegExpRouter(), new TrieRouter()] })
  for (const route of routes) router.add(route.method, route.enginePath, route.handle)
  for (const [enginePath, allow] of allowedMethods(routes)) {
    const reply = methodNotAllowed(allow)
    router.add('ALL', enginePath, () => reply)
  }

  return (incoming, outgoing) => {
    const view = new NodeRequestView(incoming)
    const isHead = incoming.method === 'HEAD'
    let reply: Reply | Promise<Reply>
    try {
      const method = isHead ? 'GET' : (incoming.method ?? 'GET')
      const path = getPath({ url: `http://h${pathOf(incoming.url ?? '/')}` } as Request)
      const [matches, stash] = router.match(method, path)
      const first = matches[0]
      if (first === undefined) reply = hooks.notFound(view)
      else {
        const [entry, paramMap] = first
        const params: Record<string, string> = {}
        for (const name in paramMap) {
          const raw = stash
            ? stash[paramMap[name] as number]
            : (paramMap[name] as unknown as string)
          if (raw !== undefined) params[name] = raw.includes('%') ? tryDecodeURIComponent(raw) : raw
        }
        reply = entry(view, params)
      }
    } catch (error) {
      reply = hooks.onError(error)
    }
    if (reply instanceof Promise) {
      reply.then(
        (done) => write(outgoing, done, isHead, view),
        (error: unknown) => write(outgoing, hooks.onError(error), isHead, view),
      )
    } else write(outgoing, reply, isHead, view)
  }
}

/** An absolute-form request target (`GET http://host/path`) routes by its path. */
function pathOf(target: string): string {
  if (target.startsWith('/')) return target
  try {
    const url = new URL(target)
    return url.pathname + url.search
  } catch {
    return '/'
  }
}

function write(
  outgoing: ServerResponse,
  reply: Reply,
  isHead: boolean,
  view: NodeRequestView,
): void {
  if (reply instanceof Response) {
    writeWebResponse(outgoing, reply, isHead, view).catch(() => outgoing.destroy())
    return
  }
  writePlain(outgoing, reply, isHead, view)
}

function writePlain(
  outgoing: ServerResponse,
  reply: PlainReply,
  isHead: boolean,
  view: NodeRequestView,
): void {
  const headers: Record<string, string | number> = { ...reply.headers }
  if (view.closeConnection) headers.connection = 'close'
  if (reply.body === null) {
    outgoing.writeHead(reply.status, headers)
    outgoing.end()
    return
  }
  headers['content-length'] = Buffer.byteLength(reply.body)
  outgoing.writeHead(reply.status, headers)
  outgoing.end(isHead ? undefined : reply.body)
}

/** A handler's own `Response` (or a docs page): headers as given, body streamed. */
async function writeWebResponse(
  outgoing: ServerResponse,
  response: Response,
  isHead: boolean,
  view: NodeRequestView,
): Promise<void> {
  const headers: Record<string, string | string[]> = {}
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value
  })
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) headers['set-cookie'] = cookies
  if (view.closeConnection) headers.connection = 'close'
  outgoing.writeHead(response.status, response.statusText || undefined, headers)
  if (isHead || response.body === null) {
    outgoing.end()
    await response.body?.cancel()
    return
  }
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    if (!outgoing.write(chunk)) await new Promise((resolve) => outgoing.once('drain', resolve))
  }
  outgoing.end()
}
