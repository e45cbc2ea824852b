import type * as NodeBuffer from 'node:buffer'
import type * as NodeCrypto from 'node:crypto'

type GetBuiltinModule = (id: string) => unknown
const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: GetBuiltinModule } })
  .process?.getBuiltinModule

// Read through `process.getBuiltinModule` (Node ≥ 20.16, Bun, Deno) rather than imported, so the
// module still loads, and falls back to Web Crypto, on runtimes without Node's built-ins.

/** `node:crypto`, when the runtime has it. */
export const nodeCrypto = getBuiltinModule?.('node:crypto') as typeof NodeCrypto | undefined

/** Node's `Buffer`, when the runtime has it. */
export const nodeBuffer = (getBuiltinModule?.('node:buffer') as typeof NodeBuffer | undefined)
  ?.Buffer
