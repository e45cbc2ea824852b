import * as z from 'zod'
import { Gatehouse, Router, Path, Query, Header, Cookie, Body, Form, Depends, dependency, HTTPException, serve, type InputLike } from '../src/index.ts'
const logs: unknown[] = []
const events: string[] = []
const app = new Gatehouse({ logger: { error: (m, e) => logs.push([m, String(e)]) } })
const a = dependency({}, async function* a() { events.push('a:open'); try { yield 'A' } catch (e) { events.push(`a:caught ${(e as Error).message}`); throw e } finally { events.push('a:close') } })
const b = dependency({ a }, function* b({ a }) { events.push('b:open'); try { yield `${a}B` } finally { events.push('b:close') } })
const disp = dependency({}, () => ({ v: 1, async [Symbol.asyncDispose]() { events.push('disposed') } }))
let n = 0
const counted = dependency({}, () => ++n)
const user1 = dependency({ c: counted }, ({ c }) => c)
app.get('/ok', { inputs: { b, a, d: disp, c1: counted, c2: Depends(counted), u: user1, fresh: Depends(counted, { useCache: false }) } }, (x) => { events.push('handler'); return { b: x.b, c1: x.c1, c2: x.c2, u: x.u, fresh: x.fresh, d: x.d.v } })
app.get('/fail', { inputs: { b } }, () => { throw new HTTPException(418 as never, { detail: 'x' }) })
app.get('/fail2', { inputs: { b } }, () => { events.push('handler'); throw new Error('kaboom') })
app.get('/cleanupfail', { inputs: { c: dependency({}, function* () { yield 1; throw new HTTPException(409, { detail: 'late' }) }) } }, () => ({ ok: 1 }))
app.get('/resp', { response: z.object({ name: z.string() }) }, () => ({ name: 'x', hashed_password: 'h' }) as never)
app.get('/respbad', { response: z.object({ name: z.string() }) }, () => ({ nam: 'x' }) as never)
app.delete('/del', { status: 204 }, () => ({ something: 1 }))
app.post('/created', { status: 201 }, () => ({ created: 1 }))
app.get('/raw', {}, () => new Response('plain', { status: 202, headers: { 'x-a': '1' } }))
app.get('/hx', {}, () => { throw new HTTPException(401, { detail: { msg: 'no' }, headers: { 'www-authenticate': 'Bearer' } }) })
const show = async (r: Promise<Response>) => { const res = await r; console.log(res.status, [...res.headers], await res.text()) }
await show(app.request('/ok')); console.log(events.splice(0))
await show(app.request('/fail2')); console.log(events.splice(0), logs.splice(0))
await show(app.request('/cleanupfail')); console.log(logs.splice(0))
await show(app.request('/resp'))
await show(app.request('/respbad')); console.log(logs.splice(0))
await show(app.request('/del', { method: 'DELETE' }))
await show(app.request('/created', { method: 'POST' }))
await show(app.request('/raw'))
await show(app.request('/hx'))
const ai: Record<string, InputLike> = {}
const c1 = dependency(ai, () => 1)
const c2 = dependency({ c1 }, () => 2)
ai.c2 = c2
try { app.get('/cyc', { inputs: { c1 } }, () => 1) } catch (e) { console.log(String(e)) }
try { app.get('/p', { inputs: { id: Path(z.string()) } }, () => 1) } catch (e) { console.log(String(e)) }
try { app.get('/p', { inputs: { id: 5 as never } }, () => 1) } catch (e) { console.log(String(e)) }
const off = new Gatehouse({ openapiUrl: null })
await show(off.request('/openapi.json')); await show(off.request('/docs'))
