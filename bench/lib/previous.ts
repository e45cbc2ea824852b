import { readFile } from 'node:fs/promises'
import type { ResultRow } from './report.js'

/** The rows of the last results file, or none when there is no readable one. */
export async function readPreviousRows(file: URL): Promise<ResultRow[]> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { rows?: unknown }
    return Array.isArray(parsed.rows) ? (parsed.rows as ResultRow[]) : []
  } catch {
    return []
  }
}
