import { readFileSync } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Log } from '../model/log.js'
import type { RuntimeDir } from '../base/runtime-dir.js'
import type { StateFileStatus } from '../base/status.js'

/**
 * The birth/death sequence number, persisted in the state directory so that it advances across
 * restarts (tck-id topics-nbirth-bdseq-increment). The file holds the value the next CONNECT uses.
 * A value is consumed only once its CONNECT has been written to the network.
 */
export interface BdSeqStore {
  /** The bdSeq for the next CONNECT's will and NBIRTH. */
  peek(): number
  /**
   * Marks `value` used: the following CONNECT gets value + 1 (mod 256). Never throws: it is called
   * from a socket listener, and a full or read-only disk must not stop the gateway.
   */
  consume(value: number): void
}

export type FileBdSeqStore = BdSeqStore & {
  status(): StateFileStatus
  /** Resolves once the file holds the last consumed value, or its write failed. */
  flushed(): Promise<void>
}

/**
 * The file store. The file is written in the thread pool, never on the event loop (a CONNECT to
 * a fast broker must not wait on a slow SD card), one write at a time, the latest value winning.
 * When the file cannot be written (disk full, read-only, a directory in the way) the value goes to
 * `runtime` (RAM, kept across restarts of the process) and every later value to both, until the
 * state file takes one again; only then is the runtime copy removed, so that at any moment the
 * runtime file, when present, is the newest value. Without a usable runtime directory bdSeq
 * advances in memory only. The condition is logged once when it starts and once when it ends.
 */
export function createFileBdSeqStore(stateDir: string, log: Log, runtime?: RuntimeDir): FileBdSeqStore {
  const file = join(stateDir, 'bdseq')
  const runtimeFile = runtime === undefined ? null : join(runtime.path, 'bdseq')
  const kept = runtimeFile === null ? null : read(runtimeFile, log)
  // A runtime copy is newer than the state file: it is written first and removed last.
  let inRuntime = kept !== null
  let next = kept ?? read(file, log) ?? 0
  let saved = inRuntime ? -1 : next
  let writing: Promise<void> | null = null
  let error: string | null = null
  let writeErrors = 0

  /** Keeps `value` in the runtime directory; the reason it could not, or null. */
  async function keep(value: number): Promise<string | null> {
    if (runtime === undefined || runtimeFile === null) return 'no runtime directory'
    try {
      runtime.ensure()
      await write(runtimeFile, value)
      return null
    } catch (err) {
      return err instanceof Error ? err.message : String(err)
    }
  }

  async function persist(): Promise<void> {
    while (saved !== next) {
      const value = next
      const notKept = inRuntime ? await keep(value) : null
      try {
        await write(file, value)
        saved = value
        if (inRuntime) {
          await rm(runtimeFile!, { force: true })
          log.info('bdseq is in the state directory again', { path: file, nextBdSeq: value })
        } else if (error !== null) {
          log.info('bdseq file written again', { path: file, nextBdSeq: value })
        }
        inRuntime = false
        error = null
      } catch (err) {
        writeErrors++
        const first = error === null
        error = err instanceof Error ? err.message : String(err)
        const keptBy = inRuntime ? notKept : await keep(value)
        if (keptBy === null) inRuntime = true
        saved = value
        if (first) {
          const where = keptBy === null
            ? `bdSeq is kept in ${runtimeFile} (RAM: it survives a restart of the gateway, not a power cycle)`
            : `bdSeq advances in memory only and restarts from the file after a restart (runtime directory: ${keptBy})`
          log.error(`cannot write the bdseq file; ${where}; check free space and permissions of the state directory`, {
            path: file, nextBdSeq: value, reason: error,
          })
        }
        // A value consumed meanwhile is tried at once (the loop); otherwise the next consume tries again.
      }
    }
    writing = null
  }
  if (inRuntime) writing = persist()

  return {
    peek: () => next,
    consume(value) {
      next = (value + 1) % 256
      writing ??= persist()
    },
    status: () => ({ path: file, writable: error === null, error, writeErrors, keptIn: inRuntime ? runtimeFile : null }),
    flushed: () => writing ?? Promise.resolve(),
  }
}

export function createMemoryBdSeqStore(start = 0): BdSeqStore {
  let next = start
  return { peek: () => next, consume: (value) => void (next = (value + 1) % 256) }
}

/** The stored value; null without a file (a fresh install), and 0 with a warning naming the file for anything unreadable. */
function read(file: string, log: Log): number | null {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null
    log.warn('cannot read the bdseq file; starting at bdSeq 0', { path: file, reason: err instanceof Error ? err.message : String(err) })
    return 0
  }
  const digits = text.trim()
  const value = /^\d{1,3}$/.test(digits) ? Number(digits) : Number.NaN
  if (value <= 255) return value
  log.warn('the bdseq file does not hold a number from 0 to 255; starting at bdSeq 0', { path: file, found: JSON.stringify(text.slice(0, 40)) })
  return 0
}

// Write-then-rename with fsync, so a power cut leaves either the old or the new value, never a torn file.
async function write(file: string, value: number): Promise<void> {
  const tmp = `${file}.tmp`
  const handle = await open(tmp, 'w', 0o600)
  try {
    await handle.writeFile(`${value}\n`)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, file)
}
