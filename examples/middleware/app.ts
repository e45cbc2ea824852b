import { fileURLToPath } from 'node:url'
import {
  Cookie,
  compress,
  cors,
  Gatehouse,
  HTTPException,
  OAuth2PasswordBearer,
  staticFiles,
} from 'gatehouse'
import * as z from 'zod'

/** The folder `staticFiles` serves: a tiny front end. */
export const publicFolder = fileURLToPath(new URL('./public', import.meta.url))

/** An API that a browser front end on other origins calls with cookies and bearer tokens. */
export function createMiddlewareApp({ allowedOrigins }: { allowedOrigins: readonly string[] }) {
  const app = new Gatehouse({ title: 'Middleware example' })

  // First added is outermost: CORS headers reach every answer (preflights, errors, compressed ones).
  app.use(
    cors({
      origin: allowedOrigins,
      credentials: true,
      allowHeaders: ['Authorization', 'Content-Type'],
      // Browser scripts may then read a 401's challenge.
      exposeHeaders: ['WWW-Authenticate'],
      maxAge: 600,
    }),
  )
  app.use(compress({ threshold: 1024 }))

  // Your own: code before `await next()` runs before routing, code after it sees the answer.
  app.use(async (ctx, next) => {
    const start = performance.now()
    await next()
    ctx.setHeader('server-timing', `app;dur=${(performance.now() - start).toFixed(1)}`)
  })

  app.mount('/static', staticFiles(publicFolder, { maxAge: 3600 }))

  const oauth2 = new OAuth2PasswordBearer({ tokenUrl: '/token' })
  app.get('/users/me', { inputs: { token: oauth2 } }, ({ token }) => {
    if (token !== 'demo-token')
      throw new HTTPException(401, {
        detail: 'Invalid token',
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      })
    return { username: 'johndoe' }
  })

  // A cookie session: set with the response parameter, read back on credentialed requests.
  app.post('/session', { inputs: { response: Response } }, ({ response }) => {
    response.setCookie('session', 'demo-session')
    return { signedIn: true }
  })
  app.get('/session', { inputs: { session: Cookie(z.string().optional()) } }, ({ session }) => ({
    session: session ?? null,
  }))

  // Large enough (about 6 KiB of JSON) to be compressed.
  app.get('/report', {}, () => ({
    rows: Array.from({ length: 200 }, (_, id) => ({ id, name: `row ${id}` })),
  }))
  return app
}
