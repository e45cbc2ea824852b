import type { AddressInfo } from 'node:net'

/** What the bench sends a server process over IPC. */
export interface StatsRequest {
  readonly type: 'stats'
}

/** What a server process sends back. */
export type ServerMessage =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'stats'; readonly rssBytes: number; readonly cpuMicros: number }

/** Where every bench server listens: loopback only, on the port the bench asks for (0 = any). */
export const listenOptions = { port: Number(process.env.PORT ?? 0), hostname: '127.0.0.1' } as const

/**
 * Called by a server module once it listens: reports the bound port to the bench, answers its
 * requests for memory and CPU figures, and exits when the bench goes away. Run by hand (no IPC
 * channel), it just prints the URL.
 */
export function announce(address: number | AddressInfo | string | null): void {
  if (address === null || typeof address === 'string') throw new TypeError('expected a TCP address')
  const port = typeof address === 'number' ? address : address.port
  const send = process.send?.bind(process)
  if (!send) {
    console.log(`listening on http://127.0.0.1:${port}`)
    return
  }
  process.on('message', (message: StatsRequest) => {
    if (message.type !== 'stats') return
    const cpu = process.cpuUsage()
    send({ type: 'stats', rssBytes: process.memoryUsage.rss(), cpuMicros: cpu.user + cpu.system })
  })
  process.on('disconnect', () => process.exit(0))
  send({ type: 'listening', port } satisfies ServerMessage)
}
