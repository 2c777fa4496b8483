import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The birth/death sequence number, persisted in the state directory so that it advances across
 * restarts (tck-id topics-nbirth-bdseq-increment). The file holds the value the next CONNECT uses.
 * A value is consumed only once its CONNECT has been written to the network.
 */
export interface BdSeqStore {
  /** The bdSeq for the next CONNECT's will and NBIRTH. */
  peek(): number
  /** Marks `value` used: the following CONNECT gets value + 1 (mod 256). Durable on return. */
  consume(value: number): void
}

export function createFileBdSeqStore(stateDir: string): BdSeqStore {
  const file = join(stateDir, 'bdseq')
  let next = read(file)
  return {
    peek: () => next,
    consume(value) {
      next = (value + 1) % 256
      write(file, next)
    },
  }
}

export function createMemoryBdSeqStore(start = 0): BdSeqStore {
  let next = start
  return { peek: () => next, consume: (value) => void (next = (value + 1) % 256) }
}

function read(file: string): number {
  try {
    const value = Number.parseInt(readFileSync(file, 'utf8').trim(), 10)
    return Number.isInteger(value) && value >= 0 && value <= 255 ? value : 0
  } catch {
    return 0
  }
}

// Write-then-rename with fsync, so a power cut leaves either the old or the new value, never a torn file.
function write(file: string, value: number): void {
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.tmp`
  const fd = openSync(tmp, 'w')
  try {
    writeSync(fd, `${value}\n`)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, file)
}
