/**
 * Preloaded into the gateway under test with `--import <this file>` (NODE_OPTIONS): on SIGUSR2 it
 * runs a full garbage collection and appends process.memoryUsage() as a JSON line to
 * $GC_PROBE_FILE, so a soak reads the live heap rather than what the collector has not reached yet.
 */
import { appendFileSync } from 'node:fs'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

const file = process.env.GC_PROBE_FILE
if (file !== undefined) {
  // The gateway is not started with --expose-gc; this makes gc() reachable without changing its command line.
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  process.on('SIGUSR2', () => {
    gc()
    appendFileSync(file, `${JSON.stringify(process.memoryUsage())}\n`)
  })
}
