/** A promise with its resolve function: holds a task or a cleanup until the test lets it end. */
export function gate(): { open: () => void; opened: Promise<void> } {
  let open!: () => void
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })
  return { open, opened }
}
