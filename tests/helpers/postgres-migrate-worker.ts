// A process that opens (and so migrates) the store at each URL it is sent on stdin, printing
// the outcome as a JSON line: the migration test sends one fresh database to several at once.
import { createInterface } from 'node:readline'
import { openStore } from 'gatehouse/authorization-server'

process.stdout.write('ready\n')
for await (const url of createInterface({ input: process.stdin })) {
  try {
    const store = await openStore(url)
    await store.close()
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`)
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ ok: false, message: (error as Error).message })}\n`)
  }
}
