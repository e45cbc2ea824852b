/**
 * Exits once the shut-down settles: 0 when it went well, 1 when a tear-down failed, so a process
 * manager sees the failure. Only the error's name is printed: its message may name the database,
 * password included.
 * @example process.once('SIGTERM', () => exitAfter(running.close().then(() => store.close())))
 */
export function exitAfter(shutDown: Promise<unknown>): void {
  shutDown.then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`Shut-down failed (${error instanceof Error ? error.name : typeof error})`)
      process.exit(1)
    },
  )
}
