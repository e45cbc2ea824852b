import type { Scenario } from '../lib/scenario.js'
import { items } from './items.js'

/** Every scenario, in the order `npm run bench` runs them. Add new ones here. */
export const scenarios: readonly Scenario[] = [items]
