// A separate process racing the test's other worker over one SQLite file: it rotates refresh
// tokens and redeems codes when told to, and prints each outcome as a JSON line.
import { createInterface } from 'node:readline'
import { openSQLiteStore } from 'gatehouse/authorization-server'

const [file, name] = process.argv.slice(2) as [string, string]
const store = await openSQLiteStore(file)
const NOW = 1_800_000_000
process.stdout.write('ready\n')

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'exit') break
  const [kind, round] = line.split(' ') as [string, string]
  const result =
    kind === 'rotate'
      ? await store.rotateRefreshToken({
          hash: `r-${round}`,
          next: { hash: `r-${round}-${name}`, expiresAt: NOW + 900 },
          now: NOW + 1,
          graceSeconds: 0,
        })
      : await store.redeemCode({
          hash: `c-${round}`,
          now: NOW + 1,
          family: {
            id: `f-${round}-${name}`,
            clientId: 'app',
            subject: 'u1',
            scopes: [],
            resources: [],
            createdAt: NOW + 1,
            expiresAt: NOW + 3600,
            revokedAt: null,
          },
        })
  process.stdout.write(`${JSON.stringify({ kind, round, outcome: result.outcome })}\n`)
}
await store.close()
