import { describe, expect, test } from 'vitest'
import { BUDGET_BYTES, measureFootprint } from '../scripts/install-footprint.js'

// A consumer's `npm install gatehouse zod`, from this checkout's `npm pack`, against the registry.
describe('npm install gatehouse zod', { timeout: 240_000 }, () => {
  test('stays under 40 MB, compiles nothing, and the installed copy serves an app', () => {
    const report = measureFootprint()
    expect(report.nodeModulesBytes).toBeLessThan(BUDGET_BYTES)
    expect(report.compiles).toEqual([])
    // Optional peers stay out unless asked for.
    for (const optional of ['redoc', 'better-sqlite3', 'pg', 'react'])
      expect(report.packages).not.toContain(optional)
    expect(report.packages).toContain('gatehouse')
    expect(report.smoke).toEqual({ status: 200, docs: 200, redoc: 501 })
    // The published files: compiled code and its sources, no build leftovers.
    expect(report.tarballFiles).toBeGreaterThan(100)
  })
})
