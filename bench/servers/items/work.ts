import * as z from 'zod'

/**
 * The work every `items` server does, shared so that only the framework around it differs: the
 * same catalogue, the same query constraints, the same two steps (pagination, then the listing
 * built on it) and so the same JSON.
 */
export interface Item {
  readonly id: number
  readonly name: string
  readonly price: number
}

const kinds = ['Foo', 'Bar', 'Baz'] as const

export const catalogue: readonly Item[] = Array.from({ length: 300 }, (_, i) => ({
  id: i + 1,
  name: `${kinds[i % kinds.length]} ${i + 1}`,
  price: Math.round((i * 37) % 1000) / 10 + 1,
}))

export interface Page {
  readonly skip: number
  readonly limit: number
  readonly end: number
}

/** The first dependency: a page window from the validated query. */
export function paginate(skip: number, limit: number): Page {
  return { skip, limit, end: skip + limit }
}

/** The second dependency, built on the first: one page of the items whose name contains `q`. */
export function listItems(page: Page, q: string | undefined) {
  const needle = q?.toLowerCase()
  const matches =
    needle === undefined
      ? catalogue
      : catalogue.filter((item) => item.name.toLowerCase().includes(needle))
  return {
    q: q ?? null,
    skip: page.skip,
    limit: page.limit,
    total: matches.length,
    items: matches.slice(page.skip, page.end),
  }
}

/**
 * How the hand-written servers validate the query: one Zod object over the parsed parameters,
 * with the constraints Gatehouse's `Query()` inputs declare.
 */
export const itemsQuery = z.object({
  skip: z.coerce.number().int().nonnegative().default(0),
  limit: z.coerce.number().int().positive().max(100).default(10),
  q: z.string().min(3).max(50).optional(),
})
