import assert from 'node:assert/strict'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { FileSync } from '../../../gateway/outbox/file-sync.js'
import { DiskSync } from '../../../gateway/outbox/sqlite-checkpoint.js'
import { recordingLog } from '../../helpers/fake-upstream.js'
import { freshDirs } from '../../helpers/fresh-dirs.js'

const freshDir = freshDirs('disk-sync')
const openDescriptors = (): number => readdirSync('/proc/self/fd').length

test('file sync - a file not created yet has nothing to sync; once it exists its writes are synced', async () => {
  const path = join(freshDir(), 'buffer.db-wal')
  const sync = new FileSync(path)
  assert.equal(await sync.sync(), null)
  writeFileSync(path, 'frames')
  assert.equal(await sync.sync(), null)
  sync.close()
})

test('file sync - closed while an fsync runs: every waiting caller resolves and the descriptor is released after it', async () => {
  const path = join(freshDir(), 'buffer.db')
  writeFileSync(path, 'pages')
  const before = openDescriptors()
  const sync = new FileSync(path)
  const running = sync.sync()
  const next = sync.sync()
  sync.close()
  assert.deepEqual(await Promise.all([running, next]), [null, null])
  assert.equal(openDescriptors(), before)
})

test('file sync - a file that cannot be opened resolves with the error instead of throwing', async () => {
  const blocker = join(freshDir(), 'not-a-directory')
  writeFileSync(blocker, '')
  const error = await new FileSync(join(blocker, 'buffer.db')).sync()
  assert.match(String(error), /ENOTDIR/)
})

function steps() {
  const calls: string[] = []
  return { calls, checkpoint: () => void calls.push('checkpoint'), release: () => void calls.push('release') }
}

test('disk sync - below the checkpoint size a commit only syncs; at it writes are held until the checkpoint is on disk', async () => {
  const dir = freshDir()
  const path = join(dir, 'buffer.db')
  writeFileSync(path, 'pages')
  writeFileSync(`${path}-wal`, Buffer.alloc(100))
  const cycle = steps()
  const disk = new DiskSync(path, 'process', 101, recordingLog(), cycle)
  disk.committed()
  assert.equal(disk.holding, false)
  assert.deepEqual(cycle.calls, [])

  writeFileSync(`${path}-wal`, Buffer.alloc(101))
  disk.committed()
  assert.equal(disk.holding, true)
  // Another commit while the checkpoint runs starts nothing more.
  disk.committed()
  await disk.checkpointed()
  assert.equal(disk.holding, false)
  assert.deepEqual(cycle.calls, ['checkpoint', 'release'])
  disk.close()
})

test('disk sync - a WAL that cannot be synced is never copied into the main file; the failure is logged once, with the file, and its end', async () => {
  const dir = freshDir()
  // A regular file where the WAL's directory should be: every open of the WAL fails.
  const blocker = join(dir, 'state')
  writeFileSync(blocker, '')
  const path = join(blocker, 'buffer.db')
  const log = recordingLog()
  const cycle = steps()
  const disk = new DiskSync(path, 'power', 0, log, cycle)
  disk.committed()
  await disk.checkpointed()
  disk.committed()
  await disk.checkpointed()
  assert.deepEqual(cycle.calls, ['release', 'release'], 'no checkpoint of frames that may not be on disk')
  const errors = log.lines.items.filter((l) => l.level === 'error')
  assert.equal(errors.length, 1)
  assert.match(errors[0]!.message, /cannot fsync the buffer file/)
  assert.equal(errors[0]!.fields.path, path)

  rmSync(blocker)
  mkdirSync(blocker)
  writeFileSync(path, 'pages')
  writeFileSync(`${path}-wal`, 'frames')
  disk.committed()
  await disk.checkpointed()
  assert.deepEqual(cycle.calls, ['release', 'release', 'checkpoint', 'release'])
  assert.equal(log.lines.items.filter((l) => l.level === 'info' && /reaches the disk again/.test(l.message)).length, 1)
  disk.close()
})
