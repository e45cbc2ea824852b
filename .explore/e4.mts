import * as z from 'zod'
import { Gatehouse, Router, Path, Query, Header, Cookie, Body, Form, Depends, dependency } from '../src/index.ts'
const Item = z.object({ name: z.string(), price: z.number(), tags: z.array(z.string()).default([]) }).meta({ id: 'Item' })
const app = new Gatehouse({ title: 'Small', version: '1.2.3' })
app.get('/', {}, function root() { return { hello: 'world' } })
const router = new Router({ prefix: '/items', tags: ['items'] })
router.get('/{item_id}', { inputs: { item_id: Path(z.number().int(), { description: 'The id' }), q: Query(z.string().optional()) }, response: Item }, function readItem() { return { name: 'x', price: 1 } })
router.post('/', { inputs: { item: Body(Item) }, response: Item, status: 201, summary: 'Create an item' }, function createItem({ item }) { return item })
app.include(router)
console.log(JSON.stringify(app.openapi(), null, 2))
