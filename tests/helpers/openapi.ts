import { Validator } from '@seriousme/openapi-schema-validator'
import { expect } from 'vitest'

/**
 * Assert that a document is a valid OpenAPI 3.1 description: the official JSON Schema for 3.1 via
 * a real validator, plus every `$ref` resolving.
 */
export async function expectValidOpenAPI(document: unknown): Promise<void> {
  const validator = new Validator()
  // The validator keeps the object; give it a copy so callers' snapshots stay untouched.
  const result = await validator.validate(
    structuredClone(document) as Parameters<Validator['validate']>[0],
  )
  expect(result.errors ?? []).toEqual([])
  expect(result.valid).toBe(true)
  expect(validator.version).toBe('3.1')
  expect(() => validator.resolveRefs()).not.toThrow()
}
