// Checked under a plain `strict` config and under the project's own, against the built dist/*.d.ts:
// optional inputs must reach handlers as possibly undefined without `exactOptionalPropertyTypes`.
import {
  BackgroundTasks,
  Cookie,
  dependency,
  Gatehouse,
  Header,
  type HTTPAuthorizationCredentials,
  HTTPBearer,
  OAuth2PasswordBearer,
  Query,
  RequestState,
  type ResponseParameter,
} from 'gatehouse'
import { expectTypeOf } from 'vitest'
import * as z from 'zod'

const app = new Gatehouse()

app.get(
  '/optional',
  {
    inputs: {
      q: Query(z.string().optional()),
      session: Cookie(z.string().optional()),
      agent: Header(z.string().nullish()),
      limit: Query(z.number().default(10)),
      bearer: new HTTPBearer({ autoError: false }),
      token: new OAuth2PasswordBearer({ tokenUrl: 'token', autoError: false }),
      required: new HTTPBearer(),
    },
  },
  ({ q, session, agent, limit, bearer, token, required }) => {
    expectTypeOf(q).toEqualTypeOf<string | undefined>()
    expectTypeOf(session).toEqualTypeOf<string | undefined>()
    expectTypeOf(agent).toEqualTypeOf<string | null | undefined>()
    expectTypeOf(limit).toEqualTypeOf<number>()
    expectTypeOf(bearer).toEqualTypeOf<HTTPAuthorizationCredentials | undefined>()
    expectTypeOf(token).toEqualTypeOf<string | undefined>()
    expectTypeOf(required).toEqualTypeOf<HTTPAuthorizationCredentials>()
    // @ts-expect-error q may be undefined: this must not compile (it answered 500 before)
    q.toUpperCase()
    // @ts-expect-error the credentials may be missing
    bearer.credentials
    return null
  },
)

const maybeUser = dependency({ bearer: new HTTPBearer({ autoError: false }) }, ({ bearer }) =>
  bearer ? { name: bearer.credentials } : undefined,
)
app.get(
  '/markers',
  {
    inputs: { user: maybeUser, response: Response, tasks: BackgroundTasks, state: RequestState },
  },
  ({ user, response, tasks, state }) => {
    expectTypeOf(user).toEqualTypeOf<{ name: string } | undefined>()
    expectTypeOf(response).toEqualTypeOf<ResponseParameter>()
    expectTypeOf(tasks).toEqualTypeOf<BackgroundTasks>()
    expectTypeOf(state).toEqualTypeOf<Record<string, unknown>>()
    return null
  },
)
