// Loaded with `node --import`: makes `pg` unresolvable, as on an install without it.
import { register } from 'node:module'

register(
  `data:text/javascript,${encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'pg') {
    const error = new Error("Cannot find package 'pg'")
    error.code = 'ERR_MODULE_NOT_FOUND'
    throw error
  }
  return next(specifier, context)
}`)}`,
)
