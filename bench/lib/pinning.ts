import { spawnSync } from 'node:child_process'

/**
 * Where the processes run. With `taskset` and two or more CPUs, every server goes on the first CPU
 * this process may use and the load generator (this process) on the second, so that neither steals
 * the other's core; `BENCH_PIN=0` turns that off.
 */
export interface Pinning {
  readonly active: boolean
  /** One line for the output: what runs where, or why nothing is pinned. */
  readonly description: string
  /** The command prefix that starts a server on its CPUs (`[]` when not pinning). */
  prefix(pinned: boolean): string[]
}

/** `0-2,5` → `[0, 1, 2, 5]`. */
function parseCPUList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number)
    if (from === undefined || !Number.isInteger(from)) return []
    const last = to === undefined ? from : to
    return Array.from({ length: last - from + 1 }, (_, i) => from + i)
  })
}

function off(reason: string): Pinning {
  return { active: false, description: `pinning: off (${reason})`, prefix: () => [] }
}

/** Pin this process (the load generator) and describe how servers are to be started. */
export function setUpPinning(): Pinning {
  if (process.env.BENCH_PIN === '0') return off('BENCH_PIN=0')
  if (process.platform !== 'linux') return off('Linux only')
  const current = spawnSync('taskset', ['-cp', String(process.pid)], { encoding: 'utf8' })
  if (current.error || current.status !== 0) return off('taskset not found')
  const list = /:\s*([\d,-]+)\s*$/.exec(current.stdout)?.[1]
  const cpus = list ? parseCPUList(list) : []
  const [serverCPU, loadCPU] = cpus
  if (serverCPU === undefined || loadCPU === undefined) return off('fewer than two CPUs')
  // `-a`: every thread of this process, autocannon's event loop and V8's helpers alike.
  const pinned = spawnSync('taskset', ['-a', '-cp', String(loadCPU), String(process.pid)])
  if (pinned.status !== 0) return off('taskset could not set the affinity')
  const all = cpus.join(',')
  return {
    active: true,
    description:
      `pinning: servers on CPU ${serverCPU}, load generator on CPU ${loadCPU} (taskset); ` +
      `unpinned servers on CPUs ${all}`,
    // Children inherit this process's affinity, so unpinned servers are given every CPU back.
    prefix: (wanted) => ['taskset', '-c', wanted ? String(serverCPU) : all],
  }
}
