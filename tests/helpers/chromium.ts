import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type Browser, chromium, type Page } from 'playwright-core'

/** Debian's Chromium; tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium'

/** A Content-Security-Policy violation reported by the page. */
export interface CSPViolation {
  directive: string
  blockedURI: string
  sourceFile: string
}

/** Everything a page did that a test may want to assert on. */
export interface PageRecord {
  /** `console.error` messages, including Chromium's own "Refused to …" CSP messages. */
  consoleErrors: string[]
  /** Uncaught exceptions. */
  pageErrors: string[]
  /** `securitypolicyviolation` events. */
  cspViolations: CSPViolation[]
  /** Every URL requested, in order (blocked ones included). */
  requests: string[]
  /** Requested URLs outside the allowed origins, which were aborted. */
  blockedRequests: string[]
}

/** A page opened by {@link openPage}, with its record; `close` closes it and its popups. */
export interface OpenedPage {
  page: Page
  record: PageRecord
  close(): Promise<void>
}

/**
 * Launches Debian's Chromium headless, with background networking off.
 * `--host-resolver-rules` makes any host but the loopback unresolvable, as a second fence.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
  })
}

/** Runs `run` with a fresh browser and always closes it. */
export async function withBrowser<T>(run: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchChromium()
  try {
    return await run(browser)
  } finally {
    await browser.close()
  }
}

/**
 * Opens `url` in a new page of `browser` that records console errors, uncaught exceptions, CSP
 * violations and every request; requests to any origin but `url`'s (and `allowedOrigins`) are
 * aborted and listed in `blockedRequests`. Popups of the page are recorded the same way.
 */
export async function openPage(
  browser: Browser,
  url: string,
  { allowedOrigins = [] as string[], timeout = 30_000 } = {},
): Promise<OpenedPage> {
  const allowed = new Set([new URL(url).origin, ...allowedOrigins])
  const record: PageRecord = {
    consoleErrors: [],
    pageErrors: [],
    cspViolations: [],
    requests: [],
    blockedRequests: [],
  }
  const context = await browser.newContext()
  context.setDefaultTimeout(timeout)
  await context.exposeBinding('__recordCSPViolation', (_source, violation: CSPViolation) => {
    record.cspViolations.push(violation)
  })
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as Record<string, (v: CSPViolation) => void>)
        .__recordCSPViolation
      report?.({
        directive: event.effectiveDirective,
        blockedURI: event.blockedURI,
        sourceFile: event.sourceFile,
      })
    })
  })
  await context.route('**/*', async (route) => {
    const requestURL = route.request().url()
    if (allowed.has(new URL(requestURL).origin)) return route.continue()
    record.blockedRequests.push(requestURL)
    return route.abort('blockedbyclient')
  })
  context.on('request', (request) => record.requests.push(request.url()))
  context.on('page', (page) => {
    page.on('console', (message) => {
      if (message.type() === 'error') record.consoleErrors.push(message.text())
    })
    page.on('pageerror', (error) => record.pageErrors.push(error.message))
  })
  const page = await context.newPage()
  await page.goto(url)
  return { page, record, close: () => context.close() }
}

/** A running `node:http` server; `close` stops it. */
export interface TestServer {
  origin: string
  close(): Promise<void>
}

async function toRequest(incoming: IncomingMessage, origin: string): Promise<Request> {
  const chunks: Buffer[] = []
  for await (const chunk of incoming) chunks.push(chunk as Buffer)
  const headers = new Headers()
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item)
    else if (value !== undefined) headers.set(name, value)
  }
  const method = incoming.method ?? 'GET'
  const hasBody = method !== 'GET' && method !== 'HEAD' && chunks.length > 0
  return new Request(new URL(incoming.url ?? '/', origin), {
    method,
    headers,
    ...(hasBody ? { body: Buffer.concat(chunks) } : {}),
  })
}

async function sendResponse(response: Response, outgoing: ServerResponse): Promise<void> {
  outgoing.statusCode = response.status
  for (const [name, value] of response.headers) {
    if (name !== 'set-cookie') outgoing.setHeader(name, value)
  }
  const cookies = response.headers.getSetCookie()
  if (cookies.length > 0) outgoing.setHeader('set-cookie', cookies)
  outgoing.end(Buffer.from(await response.arrayBuffer()))
}

/**
 * Serves a Web `fetch` handler (`Request` → `Response`) on 127.0.0.1 at a free port: a tiny
 * adapter for tests that need a real server without an engine.
 */
export async function serveFetch(
  handler: (request: Request) => Response | Promise<Response>,
): Promise<TestServer> {
  let origin = ''
  const server = createServer((incoming, outgoing) => {
    toRequest(incoming, origin)
      .then(handler)
      .then((response) => sendResponse(response, outgoing))
      .catch(() => {
        outgoing.statusCode = 500
        outgoing.end()
      })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}
