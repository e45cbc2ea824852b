import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { awaitingContinue } from '../adapter/node-request.js'
import { MAX_TIMER, refuseUnknownOptions } from '../core/declare/known-options.js'
import type { Logger } from '../core/run/respond.js'
import { loggerOf } from './app-logger.js'
import type { Fetchable } from './app-options.js'

export type { Fetchable } from './app-options.js'

export interface ServeOptions {
  /** Default 8000; 0 picks a free port. */
  port?: number | undefined
  /** Default `127.0.0.1`. */
  hostname?: string | undefined
  /** Milliseconds to receive the request head; default 10,000 (Node's own is 60,000). Then 408. */
  headersTimeout?: number | undefined
  /**
   * Milliseconds to receive the whole request, body included; default 30,000 (Node's own is
   * 300,000). A body that stalls is cut with 408 and its connection closed.
   */
  requestTimeout?: number | undefined
  /** Milliseconds an idle keep-alive connection stays open; default 5,000. */
  keepAliveTimeout?: number | undefined
  /**
   * Open connections at most; more are refused at once. Default 1,000 — keep it below the process's
   * file descriptor limit (`ulimit -n`), so the server never runs out of them.
   */
  maxConnections?: number | undefined
  /**
   * Milliseconds `close()` waits for requests in flight, their background tasks and cleanups
   * included, before cutting them and tearing down; default 10,000. What is still running then is
   * logged as abandoned.
   */
  drainTimeout?: number | undefined
  /**
   * Close gracefully on these signals (stop accepting, drain, run the lifespan's tear-down), then
   * exit: with code 0, or 1 when the shut-down failed (its error logged through the app's
   * `logger`). When the app listens for the signal too (`process.once(signal, …)` closing its
   * pool), its listener gets 10 s after the shut-down to end the process itself. Default `['SIGINT', 'SIGTERM']`; `false` to
   * handle signals yourself.
   */
  signals?: readonly NodeJS.Signals[] | false | undefined
}

/** A running server. */
export interface RunningServer {
  readonly port: number
  readonly url: string
  /** The underlying `node:http` server (for upgrades, metrics, or its timeout settings). */
  readonly server: Server
  /**
   * Stop accepting connections, end idle keep-alive ones, let requests in flight finish with their
   * background tasks and cleanups (up to `drainTimeout` in all), then run the app's shut-down.
   * Rejects with the error of a tear-down that throws. Safe to call more than once.
   */
  close(): Promise<void>
}

const OPTIONS = new Set([
  'port',
  'hostname',
  'headersTimeout',
  'requestTimeout',
  'keepAliveTimeout',
  'maxConnections',
  'drainTimeout',
  'signals',
])

/** Signals a server may close on (the terminating ones a process can catch). */
const SIGNALS = new Set<string>([
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGBREAK',
])

const DEFAULTS = {
  headersTimeout: 10_000,
  requestTimeout: 30_000,
  keepAliveTimeout: 5_000,
  maxConnections: 1_000,
  drainTimeout: 10_000,
}

/**
 * Serve an app on Node's HTTP server and resolve once it is listening, after the app's lifespan
 * set-up (a set-up that throws rejects, and nothing listens). Gatehouse apps are served through their
 * native Node listener; any other `fetch` handler through `@hono/node-server`. Timeouts and a
 * connection cap have defaults sized for the open internet; see {@link ServeOptions}.
 * @example const server = await serve(app, { port: 8000 })
 */
export async function serve(app: Fetchable, options: ServeOptions = {}): Promise<RunningServer> {
  if (app === null || typeof app !== 'object' || typeof app.fetch !== 'function')
    throw new TypeError(
      'serve: give a Gatehouse app or anything with a fetch(request) method to serve',
    )
  refuseUnknownOptions('serve', options, OPTIONS)
  const settings = { ...DEFAULTS }
  for (const name of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) {
    const value = options[name]
    if (value === undefined) continue
    // 0 means "never" to Node for the timeouts and "no cap" here: the protections, off. Only a
    // drain may be cut at once.
    const least = name === 'drainTimeout' ? 0 : 1
    // A timer longer than Node takes would be set to 1 ms: a drain cut at once.
    const most = name === 'maxConnections' ? Number.MAX_SAFE_INTEGER : MAX_TIMER
    if (!Number.isSafeInteger(value) || value < least || value > most)
      throw new TypeError(
        `serve: \`${name}\` must be ${least === 0 ? 'a non-negative' : 'a positive'} integer${most === MAX_TIMER ? ' of milliseconds up to 2^31 - 1' : ''}`,
      )
    settings[name] = value
  }
  if (settings.requestTimeout > 0 && settings.headersTimeout > settings.requestTimeout) {
    if (options.headersTimeout !== undefined)
      throw new TypeError('serve: `headersTimeout` must not be longer than `requestTimeout`')
    settings.headersTimeout = settings.requestTimeout
  }
  const hostname = options.hostname ?? '127.0.0.1'
  // '' (an empty HOST passed through) would listen on every interface.
  if (typeof hostname !== 'string' || hostname === '')
    throw new TypeError('serve: `hostname` must be a non-empty string, e.g. "127.0.0.1"')
  const port = options.port ?? 8000
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new TypeError('serve: `port` must be an integer from 0 to 65535 (0: a free port)')
  const signals = options.signals ?? ['SIGINT', 'SIGTERM']
  if (
    signals !== false &&
    (!Array.isArray(signals) || !signals.every((signal) => SIGNALS.has(signal)))
  )
    throw new TypeError(
      `serve: \`signals\` must be false or a list of signal names (${[...SIGNALS].join(', ')})`,
    )
  // Loaded here, not at import time: `import { Gatehouse } from 'gatehouse'` works off Node too.
  const { createServer } = await import('node:http')
  const listener = app.nodeListener
    ? app.nodeListener()
    : (await import('@hono/node-server')).getRequestListener((request: Request) =>
        app.fetch(request),
      )
  await app.startup?.()

  const serverOptions: ServerOptions = {
    headersTimeout: settings.headersTimeout,
    requestTimeout: settings.requestTimeout,
    keepAliveTimeout: settings.keepAliveTimeout,
    // Timeouts are checked this often: with Node's 30 s default a stalled body could live 60 s.
    connectionsCheckingInterval: Math.max(
      250,
      Math.min(1_000, settings.headersTimeout, settings.requestTimeout),
    ),
  }
  const server = createServer(serverOptions, listener)
  // Node keeps the first 2,000 header lines (1,000 fields) and drops the rest without a word: a
  // repeated Host or a credential past them would go unseen. Count them all; the size limit
  // (16 KiB, 431) bounds the work.
  server.maxHeadersCount = 0
  // `Expect: 100-continue`: the 100 is sent when the body is first read, not before the head is
  // even looked at, so a body refused by its headers (413) is never uploaded.
  server.on('checkContinue', (incoming: IncomingMessage, outgoing: ServerResponse) => {
    awaitingContinue.set(incoming, () => outgoing.writeContinue())
    server.emit('request', incoming, outgoing)
  })
  // CONNECT is for proxies (RFC 9110 §9.3.6); Node hands it to a 'connect' listener or drops the
  // connection without a word.
  server.on('connect', (_request, socket: Socket) => {
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')
  })
  // The cap is kept here rather than by Node (which refuses every connection over it): at the
  // cap, a new connection takes the place of the longest quiet one with nothing in flight (its
  // request head not complete yet, or idle between keep-alive requests), else of the oldest still
  // uploading its body. Else one client holding `maxConnections` sockets that trickle their bytes
  // in (slowloris) would keep everyone else out for good. Only when every connection has a whole
  // request being answered is the new one refused. Quiet is counted from a connection's last sign
  // of life (its opening, then each request head), not its age: a busy keep-alive client is idle
  // for microseconds between requests, and giving it up then cut the request it was sending.
  const sockets = new Map<Socket, number>()
  let tick = 0
  server.on('connection', (socket: Socket) => {
    sockets.set(socket, ++tick)
    socket.once('close', () => sockets.delete(socket))
    if (sockets.size > settings.maxConnections)
      (evictableSocket(sockets, socket) ?? socket).destroy()
  })
  // The newest request on each connection, to tell in 'clientError' whether one was already answered.
  const latest = new WeakMap<Socket | Duplex, IncomingMessage>()
  server.prependListener('request', (incoming: IncomingMessage) => {
    if (sockets.has(incoming.socket)) sockets.set(incoming.socket, ++tick)
    latest.set(incoming.socket, incoming)
  })
  // A client that sends garbage gets 400 and is gone; nothing is logged about what it sent.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (error.code === 'ECONNRESET' && socket.destroyed)) {
      socket.destroy()
      return
    }
    const answering = answerInProgress(socket)
    if (answering) {
      // The request being answered arrived whole, so the error is a pipelined one behind it: a
      // 400 written now would land inside that answer, or be taken for it (RFC 9112 §9.3.2). The
      // answer is finished instead, with `Connection: close`, and the connection ends after it.
      if (answering.req.complete) {
        answering.shouldKeepAlive = false
        if (answering.writableFinished) socket.destroy()
        else answering.once('close', () => socket.destroy())
        return
      }
      // The error is in the request being answered (its body stalled or is malformed): the status
      // below is its answer, unless one has begun, when all that is left is to cut it.
      if (answering.headersSent) {
        socket.destroy()
        return
      }
    } else if (latest.get(socket)?.complete === false) {
      // The request was answered before its body was over (a 404, a 401, a handler that left it),
      // and the body then stalled or broke: a 408 or 400 now would be a second answer to it, read
      // as the answer to the client's next request (RFC 9112 §9.3). The connection is cut instead.
      socket.destroy()
      return
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400
    const reason =
      status === 431
        ? 'Request Header Fields Too Large'
        : status === 408
          ? 'Request Timeout'
          : 'Bad Request'
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  })

  await listen(server, port, hostname).catch(async (error: unknown) => {
    await app.shutdown?.()
    throw error
  })
  const info = server.address() as AddressInfo
  const host = info.family === 'IPv6' ? `[${info.address}]` : info.address

  let closing: Promise<void> | undefined
  const close = () => {
    closing ??= (async () => {
      unregister()
      // Answers still to be written say `Connection: close` (RFC 9112 §9.6), so no client sends
      // another request on a connection about to end: those in flight now, and any request a
      // kept-alive connection brings from here (this listener runs before the app's; added only
      // now, so serving costs nothing until then).
      server.prependListener('request', (_incoming: IncomingMessage, outgoing: ServerResponse) => {
        outgoing.shouldKeepAlive = false
      })
      for (const socket of sockets.keys()) {
        const answer = answerInProgress(socket)
        if (answer && !answer.headersSent) answer.shouldKeepAlive = false
      }
      // Node's own idle sweep in server.close() takes an answer whose end() was called as done and
      // destroys its connection with the bytes still queued (a download cut short, unlogged):
      // closeUnused below does that sweep, waiting until an answer is flushed.
      server.closeIdleConnections = () => {}
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      // Only connections answering a request are waited for. Node's own idle check skips one that
      // sent nothing yet (a browser's preconnect) or only part of a head, and from `close()` on
      // it no longer times them out: each would hold the shutdown for the whole `drainTimeout`.
      // No request of theirs has reached the app, so a client may send it again elsewhere, as
      // after uvicorn's shutdown. A keep-alive connection whose request finishes goes idle, and is
      // closed then, not at its timeout.
      const closeUnused = () => {
        for (const socket of sockets.keys())
          if (isHTTPConnection(socket) && !answerInProgress(socket)) socket.destroy()
      }
      closeUnused()
      const sweeper = setInterval(closeUnused, 25)
      void closed.then(() => clearInterval(sweeper))
      const started = Date.now()
      const drained = await Promise.race([
        closed.then(() => true),
        delay(settings.drainTimeout).then(() => false),
      ])
      if (!drained) {
        // Said, so an operator can tell a clean drain from one that dropped requests: a request
        // cut now (its body still arriving, its answer not written) may end with no trace of it.
        let cut = 0
        for (const socket of sockets.keys())
          if (isHTTPConnection(socket) && answerInProgress(socket)) cut++
        server.closeAllConnections()
        for (const socket of sockets.keys()) socket.destroy()
        await closed
        if (cut > 0)
          loggerOf(app).error(
            `Shut-down cut ${cut} connection${cut === 1 ? '' : 's'} whose request was still being read or answered when drainTimeout ran out`,
            { cut },
          )
      }
      // The answers are written, but their background tasks and cleanups may still run: the app
      // waits for them with what is left of the drain, before its tear-down.
      const left = drained ? Math.max(0, settings.drainTimeout - (Date.now() - started)) : 0
      await app.shutdown?.({ drainTimeout: left })
    })()
    return closing
  }
  const unregister = signals === false ? () => {} : onSignals(signals, close, loggerOf(app))
  return { port: info.port, url: `http://${host}:${info.port}`, server, close }
}

/**
 * The connection to give up for `newest` at the cap: the longest quiet with no answer in flight (a
 * head still arriving, or idle between keep-alive requests), else the oldest still sending its
 * request body (a slow upload holds a connection as a slow head does),
 * else none.
 */
function evictableSocket(sockets: ReadonlyMap<Socket, number>, newest: Socket): Socket | undefined {
  let quiet: Socket | undefined
  let quietSince = Number.POSITIVE_INFINITY
  let uploading: Socket | undefined
  for (const [socket, lastActive] of sockets) {
    if (socket === newest) continue
    const answer = answerInProgress(socket)
    if (answer === undefined) {
      if (lastActive < quietSince) {
        quiet = socket
        quietSince = lastActive
      }
    } else if (uploading === undefined && !answer.req.complete && !answer.headersSent)
      uploading = socket
  }
  return quiet ?? uploading
}

/**
 * Whether the socket still speaks HTTP/1 through Node's parser. One handed to an `upgrade`
 * listener (a WebSocket) has lost its parser: it is the app's, and is left to `drainTimeout` so
 * the app can say goodbye (a 1001 close frame), never cut as unused.
 */
function isHTTPConnection(socket: Socket): boolean {
  return (socket as { parser?: unknown }).parser != null
}

/**
 * The response being written on a connection, if any: Node keeps it as `socket._httpMessage`,
 * which its own `clientError` default reads too; no public API says whether a connection is busy.
 */
function answerInProgress(socket: Socket | Duplex): ServerResponse | undefined {
  return (socket as { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined
}

function listen(server: Server, port: number, hostname: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, hostname, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref())
}

/**
 * One process listener per signal for every running server, so many servers add no warnings; each
 * server's `close` with the logger its failure is reported to.
 */
const closers = new Map<() => Promise<void>, Logger>()
/** How long the app's own signal listeners get to finish after the shut-down before the exit. */
const OTHERS_GRACE_MS = 10_000
const installed = new Map<NodeJS.Signals, () => void>()
/** A signal arrived and the servers are closing: the next one ends the process. */
let shuttingDown = false
/** The signal that began the shut-down, and when: a copy of it right after is not a second one. */
let firstSignal: NodeJS.Signals | undefined
let firstSignalAt = 0
/** npm's forwarded copy arrives within milliseconds; a person's second Ctrl-C takes longer. */
const REPEAT_WINDOW_MS = 150

function removeAll(): void {
  for (const [name, handler] of installed) process.off(name, handler)
  installed.clear()
}

function onSignals(
  signals: readonly NodeJS.Signals[],
  close: () => Promise<void>,
  logger: Logger,
): () => void {
  closers.set(close, logger)
  for (const signal of signals) {
    if (installed.has(signal)) continue
    const handler = () => {
      // A second signal during the shut-down: no more waiting, the signal's own default (or
      // whoever else listens) ends the process, as with no handler at all.
      if (shuttingDown) {
        // The same signal again at once is the same request: a terminal's Ctrl-C reaches the
        // whole foreground process group, and npm (whose script `exec`s node) forwards its copy.
        // Once only: a third (or a second that took longer) is someone who means it.
        if (signal === firstSignal && performance.now() - firstSignalAt < REPEAT_WINDOW_MS) {
          firstSignal = undefined
          return
        }
        removeAll()
        process.kill(process.pid, signal)
        return
      }
      shuttingDown = true
      firstSignal = signal
      firstSignalAt = performance.now()
      const all = [...closers]
      // Asked now, while the signal is being delivered (this listener runs first, so every other
      // is still registered): a `process.once` listener (the examples' `close()` then
      // `store.close()`) has removed itself by the time the shut-down is over, and exiting then
      // would cut its own clean-up short. This one stays registered until then, so libraries that
      // count listeners (signal-exit) see the signal handled.
      const othersListen = process.listenerCount(signal) > 1
      // Nobody else awaits these shut-downs: a tear-down that throws (a pool that did not close)
      // is logged here, and the process says it failed, as uvicorn does. The error's message is
      // the logger's to show, not put in this line (it may name a database URL).
      const closings = all.map(([closeOne, report]) =>
        closeOne().then(
          () => true,
          (error: unknown) => {
            report.error(`Shut-down on ${signal} failed`, error)
            return false
          },
        ),
      )
      void Promise.all(closings).then((results) => {
        removeAll()
        const failed = results.includes(false)
        if (failed) process.exitCode = 1
        const exit = () => process.exit(failed ? 1 : 0)
        if (!othersListen && process.listenerCount(signal) === 0) exit()
        // Their clean-up is given time to end the process, but a signal always ends it: one that
        // never exits (nor lets the event loop empty) would otherwise leave it running.
        else setTimeout(exit, OTHERS_GRACE_MS).unref()
      })
    }
    installed.set(signal, handler)
    // First, whenever the others were added: it sees them all.
    process.prependListener(signal, handler)
  }
  return () => {
    closers.delete(close)
    // During a signal's shut-down the listeners stay until it is over (see the handler).
    if (closers.size === 0 && !shuttingDown) removeAll()
  }
}
