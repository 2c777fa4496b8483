/**
 * loadConfig in a worker thread, for the running gateway: parsing a large device file takes
 * seconds and a hundred bytes of heap per byte of YAML, which on the event loop would stop every
 * device's polling and the broker connection's keepalive for that long. The worker has its own
 * heap, capped, so a file that needs more than estimated is refused instead of ending the process.
 */
import { Worker } from 'node:worker_threads'
import type { Result } from '../model/result.js'
import { compactConfig } from './compact.js'
import { PARSE_MEMORY_BUDGET_BYTES } from './device-limits.js'
import type { LocatedError } from './located.js'
import type { GatewayConfig } from './types.js'

export interface Loaded {
  readonly loaded: Result<GatewayConfig, LocatedError[]>
  readonly warnings: LocatedError[]
}

/** One file's parse budget, the loaded devices and the loader's own code. */
const LOADER_HEAP_MB = Math.round(PARSE_MEMORY_BUDGET_BYTES / 2 ** 20) + 96

export function loadConfigOffThread(file: string): Promise<Loaded> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: { file }, resourceLimits: { maxOldGenerationSizeMb: LOADER_HEAP_MB } })
    let settled = false
    const refuse = (why: string): void => {
      if (settled) return
      settled = true
      resolve({ loaded: { ok: false, error: [{ file, line: 1, col: 1, path: '', message: why }] }, warnings: [] })
    }
    worker.once('message', (result: Loaded) => {
      settled = true
      resolve(result.loaded.ok ? { ...result, loaded: { ok: true, value: compactConfig(result.loaded.value) } } : result)
    })
    worker.once('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') refuse(`loading the configuration took more than the ${LOADER_HEAP_MB} MiB the loader may use; make the largest device files smaller`)
      else refuse(`cannot load the configuration: ${error.message}`)
    })
    worker.once('exit', (code) => refuse(`the configuration loader stopped (exit code ${code}) before it finished`))
  })
}
