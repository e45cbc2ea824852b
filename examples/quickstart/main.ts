import { serve } from 'gatehouse'
import { app } from './app.js'

const server = await serve(app, { port: Number(process.env.PORT ?? 8000) })
console.log(`Listening on ${server.url} (docs at ${server.url}/docs)`)
