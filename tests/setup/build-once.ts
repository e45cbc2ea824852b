import { execFileSync } from 'node:child_process'

/**
 * Vitest global set-up: build the package and the examples once before any test file runs, so the
 * tests that start `npm start` (or another script) find the build fresh and their own incremental
 * build has nothing to write, however many of them run at once.
 */
export default function buildOnce(): void {
  execFileSync('npm', ['run', '-s', 'build:examples'], { stdio: 'inherit' })
}
