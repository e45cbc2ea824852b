// The examples' static folders (`examples/*/public`) next to their compiled JavaScript in build/,
// where `new URL('./public', import.meta.url)` looks for them.
import { cpSync, existsSync, readdirSync } from 'node:fs'

for (const example of readdirSync('examples')) {
  const folder = `examples/${example}/public`
  if (existsSync(folder)) cpSync(folder, `build/${folder}`, { recursive: true })
}
