import type { AuthorizationServerStore } from 'gatehouse/authorization-server'
import { afterEach, describe, expect, test, vi } from 'vitest'
import {
  basic,
  bearer,
  type Fixture,
  matrix,
  openFixture,
  postForm,
  stores,
} from './helpers/authorization-server.js'

// RFC 7662 §2.2: `active` means usable now. A disabled user's or deleted client's tokens are not,
// even before `exp`; introspection reads the store anyway. Stores cannot delete a client, so the
// test's store forgets the ones in `deleted`, as a row removed behind its back would be.
describe.each(matrix)(
  'introspection of tokens whose holders are gone ($name)',
  ({ transport, store: kind }) => {
    let f: Fixture
    let store: AuthorizationServerStore
    const deleted = new Set<string>()
    const open = async () => {
      const inner = await stores[kind]()
      store = {
        ...inner,
        findClient: async (id) => (deleted.has(id) ? undefined : inner.findClient(id)),
      }
      f = await openFixture(transport, kind, { store })
    }
    afterEach(async () => {
      vi.useRealTimers()
      deleted.clear()
      expect(f.logs).toEqual([])
      await f.close()
      await store.close()
    })

    const service = () => ({ authorization: basic('service', f.secrets.service) })
    const loginAda = async () => {
      const response = await postForm(
        f.send,
        '/token',
        { grant_type: 'password', username: 'ada', password: 'ada-password', scope: 'read' },
        { authorization: basic('web', f.secrets.web) },
      )
      expect(response.status).toBe(200)
      return (await response.json()) as { access_token: string; refresh_token: string }
    }
    const introspect = async (token: string) => {
      const response = await postForm(f.send, '/introspect', { token }, service())
      expect(response.status).toBe(200)
      expect(response.headers.get('cache-control')).toBe('no-store')
      return response.json()
    }

    test('a disabled user: its access and refresh tokens are inactive at once', async () => {
      await open()
      const tokens = await loginAda()
      expect((await introspect(tokens.access_token)).active).toBe(true)
      await store.updateUser(f.users.ada, { disabled: true })
      expect(await introspect(tokens.access_token)).toEqual({ active: false })
      expect(await introspect(tokens.refresh_token)).toEqual({ active: false })
      // A JWT verified on its own still works until exp (documented): currentPrincipal here.
      expect((await f.send('/api/read', bearer(tokens.access_token))).status).toBe(200)
      await store.updateUser(f.users.ada, { disabled: false })
      expect((await introspect(tokens.access_token)).active).toBe(true)
    })

    test('a deleted client: its tokens are inactive once the client cache forgot it', async () => {
      await open()
      const tokens = await loginAda()
      const own = await postForm(
        f.send,
        '/token',
        { grant_type: 'client_credentials' },
        { authorization: basic('service', f.secrets.service) },
      )
      const serviceToken = (await own.json()).access_token as string
      // The client cache keeps a found client ten seconds of wall time (faked performance starts
      // at 0, so it is moved past the real clock first).
      const wall = performance.now()
      vi.useFakeTimers({ toFake: ['performance'] })
      deleted.add('web')
      vi.advanceTimersByTime(wall + 10_001)
      expect(await introspect(tokens.access_token)).toEqual({ active: false })
      expect(await introspect(tokens.refresh_token)).toEqual({ active: false })
      // A client's own token (sub is the client) needs only the client.
      expect((await introspect(serviceToken)).active).toBe(true)
    })
  },
)
