#!/usr/bin/env node
import { runCLI } from './run.js'

// The package's `gatehouse` bin: see `gatehouse --help`.

// A reader that stops early (`gatehouse clients list | head -1`) closes the pipe: the rest of the
// output has nowhere to go, which is no failure of the command, so it is dropped and the command
// ends with its own exit code, as `ls | head` does, instead of an EPIPE stack trace and exit 1.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error
  })
process.exitCode = await runCLI({
  args: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
})
