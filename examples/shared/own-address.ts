import { createServer } from 'node:net'

/**
 * The port a server will listen on and its URL there, known before it listens: an issuer or a
 * resource identifier names the port, so `PORT=0` is resolved to a free port first. A wildcard
 * host (`0.0.0.0`, `::`) is reached as 127.0.0.1; an IPv6 host is bracketed.
 */
export async function ownAddress(
  host: string,
  port: number,
): Promise<{ port: number; url: string }> {
  const chosen = port === 0 ? await freePort(host) : port
  return { port: chosen, url: `http://${hostInURL(host)}:${chosen}` }
}

function hostInURL(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, host, () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
