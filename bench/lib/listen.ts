import { readFileSync } from 'node:fs'
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

export interface AnnounceOptions {
  /**
   * Further processes whose memory and CPU count as this server's (a cluster's workers), read from
   * `/proc`; on other systems only this process is counted.
   */
  readonly children?: () => readonly number[]
}

// Linux reports CPU time in clock ticks of 1/100 s on every common architecture.
const TICK_MICROS = 10_000

/** Resident memory and CPU time of another process, from `/proc`; zeros when it cannot be read. */
function procStats(pid: number): { rssBytes: number; cpuMicros: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rssKB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0)
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[11] ?? 0) + Number(fields[12] ?? 0)
    return { rssBytes: rssKB * 1024, cpuMicros: ticks * TICK_MICROS }
  } catch {
    return { rssBytes: 0, cpuMicros: 0 }
  }
}

/**
 * Called by a server module once it listens: reports the bound port to the bench, answers its
 * requests for memory and CPU figures, and exits when the bench goes away. Run by hand (no IPC
 * channel), it just prints the URL.
 */
export function announce(
  address: number | AddressInfo | string | null,
  options: AnnounceOptions = {},
): void {
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
    let rssBytes = process.memoryUsage.rss()
    let cpuMicros = cpu.user + cpu.system
    for (const pid of options.children?.() ?? []) {
      const child = procStats(pid)
      rssBytes += child.rssBytes
      cpuMicros += child.cpuMicros
    }
    send({ type: 'stats', rssBytes, cpuMicros } satisfies ServerMessage)
  })
  process.on('disconnect', () => process.exit(0))
  send({ type: 'listening', port } satisfies ServerMessage)
}
