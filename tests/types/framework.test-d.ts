// The framework's generics as a consumer sees them (plain `strict` and the project's flags, dist/).
import {
  defaultExceptionHandler,
  dependency,
  Gatehouse,
  type GatehouseErrorCode,
  HTTPException,
  isGatehouseError,
  type Middleware,
  type MiddlewareContext,
  RequestValidationError,
  type RequestView,
  type ValidationErrorItem,
} from 'gatehouse'
import { expectTypeOf } from 'vitest'

class Conflict extends Error {
  readonly resource = 'item'
}

// The lifespan's yield types app.state.
const app = new Gatehouse({
  async *lifespan() {
    yield { db: new Map<string, number>() }
  },
})
expectTypeOf(app.state).toEqualTypeOf<{ db: Map<string, number> }>()
const getDB = dependency({}, () => app.state.db)
app.get('/count', { inputs: { db: getDB } }, ({ db }) => {
  expectTypeOf(db).toEqualTypeOf<Map<string, number>>()
  return db.size
})
// Without a lifespan, there is no state to speak of.
expectTypeOf(new Gatehouse().state).toEqualTypeOf<undefined>()

// An exception handler gets the error as an instance of its class, and the request.
app.exceptionHandler(Conflict, (error, request) => {
  expectTypeOf(error).toEqualTypeOf<Conflict>()
  expectTypeOf(request).toEqualTypeOf<RequestView>()
  return Response.json({ resource: error.resource }, { status: 409 })
})
app.exceptionHandler(RequestValidationError, (error) => {
  expectTypeOf(error.errors).toEqualTypeOf<readonly ValidationErrorItem[]>()
  return defaultExceptionHandler(error)
})
app.exceptionHandler(404, (error) => {
  expectTypeOf(error).toEqualTypeOf<unknown>()
  if (isGatehouseError(error)) expectTypeOf(error.code).toEqualTypeOf<GatehouseErrorCode>()
  return new Response('gone', { status: 404 })
})
// @ts-expect-error a handler must answer with a Response
app.exceptionHandler(HTTPException, () => ({ detail: 'x' }))

// Middleware: the context and next() as typed.
const timing: Middleware = async (ctx, next) => {
  expectTypeOf(ctx).toEqualTypeOf<MiddlewareContext>()
  expectTypeOf(ctx.request.method).toEqualTypeOf<string>()
  await next()
  expectTypeOf(ctx.status).toEqualTypeOf<number>()
  ctx.setHeader('x-took', '1')
}
app.use(timing)
// @ts-expect-error a middleware is a function
app.use({ before: true })
