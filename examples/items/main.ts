import { serve } from 'gatehouse'
import { portFromEnv } from '../shared/port.js'
import { createItemsApp } from './app.js'

// ALLOWED_ORIGINS: comma-separated browser origins for CORS; ROOT_PATH: a prefix a proxy strips.
const { app } = createItemsApp({
  ...(process.env.ALLOWED_ORIGINS
    ? { allowedOrigins: process.env.ALLOWED_ORIGINS.split(',') }
    : {}),
  ...(process.env.ROOT_PATH ? { rootPath: process.env.ROOT_PATH } : {}),
})
const server = await serve(app, {
  port: portFromEnv('PORT', process.env.PORT, 8000),
  hostname: process.env.HOST ?? '127.0.0.1',
})
console.log(`Items example on ${server.url} (docs at ${server.url}/docs)`)
