#!/usr/bin/env node
import { runCLI } from './run.js'

// The package's `gatehouse` bin: see `gatehouse --help`.
process.exitCode = await runCLI({
  args: process.argv.slice(2),
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
})
