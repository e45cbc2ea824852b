import { serve } from 'gatehouse'
import { createItemsApp } from './app.js'

const { app } = createItemsApp()
const server = await serve(app, {
  port: Number(process.env.PORT ?? 8000),
  hostname: process.env.HOST ?? '127.0.0.1',
})
console.log(`Items example on ${server.url} (docs at ${server.url}/docs)`)
