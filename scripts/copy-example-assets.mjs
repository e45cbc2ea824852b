// The examples' static folders (`examples/*/public`) next to their compiled JavaScript in build/,
// where `new URL('./public', import.meta.url)` looks for them.
//
// Several `npm start`s may run this at once (the tests start many scripts together), and a server
// may already be serving these files: so a file whose copy is already current is left alone, and a
// changed one is written beside its place and renamed over it, which is atomic. (`cpSync` unlinks
// and re-creates every file, so two copies at once fail with ENOENT and a reader can see a gap.)
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs'
import { join } from 'node:path'

/** The file's bytes, or undefined when there is none. */
function contents(path) {
  try {
    return readFileSync(path)
  } catch (error) {
    if (error.code === 'ENOENT') return undefined
    throw error
  }
}

function copyFolder(from, to) {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name)
    const target = join(to, entry.name)
    if (entry.isDirectory()) {
      copyFolder(source, target)
      continue
    }
    const wanted = readFileSync(source)
    if (contents(target)?.equals(wanted)) continue
    const temporary = `${target}.${process.pid}.tmp`
    writeFileSync(temporary, wanted)
    renameSync(temporary, target)
  }
}

for (const example of readdirSync('examples', { withFileTypes: true })) {
  if (!example.isDirectory()) continue
  const folder = `examples/${example.name}/public`
  if (existsSync(folder)) copyFolder(folder, `build/${folder}`)
}
