/** Runs loadConfig in a worker thread (see load-off-thread.ts) and posts its result back. */
import { parentPort, workerData } from 'node:worker_threads'
import { loadConfig, type LocatedError } from './load.js'

const warnings: LocatedError[] = []
const loaded = await loadConfig((workerData as { file: string }).file, undefined, warnings)
parentPort!.postMessage({ loaded, warnings })
