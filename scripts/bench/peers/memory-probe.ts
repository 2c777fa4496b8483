/**
 * Preloaded into a process under test with `node --import <this file>`: appends
 * process.memoryUsage() as a JSON line to $MEMORY_PROBE_FILE every second, and writes one V8 heap
 * snapshot to $MEMORY_PROBE_FILE.heapsnapshot after $MEMORY_PROBE_SNAPSHOT_MS when that is set
 * (then an empty $MEMORY_PROBE_FILE.done says the snapshot is complete), or at SIGUSR2 when
 * $MEMORY_PROBE_SNAPSHOT_SIGNAL is set (a window that starts after the first data, not at a fixed time).
 * Its timers are unref'd, so it never keeps a process alive.
 */
import { appendFileSync, writeFileSync } from 'node:fs'
import { writeHeapSnapshot } from 'node:v8'

const file = process.env.MEMORY_PROBE_FILE
if (file !== undefined) {
  setInterval(() => appendFileSync(file, JSON.stringify(process.memoryUsage()) + '\n'), 1000).unref()
  const snapshot = (): void => {
    writeHeapSnapshot(`${file}.heapsnapshot`)
    writeFileSync(`${file}.done`, '')
  }
  const snapshotAt = Number(process.env.MEMORY_PROBE_SNAPSHOT_MS ?? 0)
  if (snapshotAt > 0) setTimeout(snapshot, snapshotAt).unref()
  if (process.env.MEMORY_PROBE_SNAPSHOT_SIGNAL !== undefined) process.once('SIGUSR2', snapshot)
}
