import type { Logger } from '../core/run/respond.js'
import type { NestedLifespans } from './lifespan.js'
import type { Mounted } from './mount.js'

/**
 * The lifespans of an app's mounted apps, as one: started in mounting order and stopped in reverse.
 * A start is all or nothing, so a parent never serves with part of itself down: when one mounted
 * app fails to start, those already started are stopped again (in reverse) before the error goes
 * on to the parent, which then tears itself down too.
 * @param mounts read at each start and stop, so an app mounted later is included.
 */
export function mountedLifespans(
  mounts: () => readonly Mounted[],
  logger: Logger,
): NestedLifespans {
  return {
    async start() {
      const started: Mounted[] = []
      try {
        for (const mount of mounts()) {
          await mount.app.startup?.()
          started.push(mount)
        }
      } catch (error) {
        // Their tear-down errors are logged: the failed start is what the caller must hear of.
        for (const mount of started.reverse())
          await stopOne(mount).catch((stopError: unknown) =>
            logger.error(`Lifespan tear-down failed (mounted at ${mount.prefix})`, stopError),
          )
        throw error
      }
    },
    async stop() {
      // Each one is stopped even when another throws; the first error is reported.
      let failure: { error: unknown } | undefined
      for (const mount of [...mounts()].reverse()) {
        try {
          await stopOne(mount)
        } catch (error) {
          if (failure === undefined) failure = { error }
          else logger.error(`Lifespan tear-down failed (mounted at ${mount.prefix})`, error)
        }
      }
      if (failure !== undefined) throw failure.error
    },
  }
}

async function stopOne(mount: Mounted): Promise<void> {
  await mount.app.shutdown?.()
}
