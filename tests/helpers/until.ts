import { expect } from 'vitest'

/**
 * Waits (up to a second, in 5 ms steps) for work that ends after the answer, such as background
 * tasks, cleanups or a shut-down, then asserts that it did end.
 */
export async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5))
  expect(check()).toBe(true)
}
