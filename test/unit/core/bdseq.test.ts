import assert from 'node:assert/strict'
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import type { Log, LogFields } from '../../../gateway/model/log.js'
import { silentLog } from '../../../gateway/runtime/log.js'
import { runtimeDirFor } from '../../../gateway/base/runtime-dir.js'
import { createFileBdSeqStore, createMemoryBdSeqStore } from '../../../gateway/pump/bdseq.js'
import { freshDirs } from '../../helpers/fresh-dirs.js'

const freshDir = freshDirs('bdseq-test')

function recordingLog(): Log & { lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = []
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields })
  const log = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log }
  return log
}

test('bdseq - a fresh install starts at 0 without a warning (tck-id topics-nbirth-bdseq-increment)', () => {
  const log = recordingLog()
  assert.equal(createFileBdSeqStore(freshDir(), log).peek(), 0)
  assert.deepEqual(log.lines, [])
})

test('bdseq - consuming a value makes the next CONNECT use value + 1', () => {
  const store = createFileBdSeqStore(freshDir(), silentLog)
  store.consume(store.peek())
  assert.equal(store.peek(), 1)
  store.consume(1)
  assert.equal(store.peek(), 2)
})

test('bdseq - peeking alone does not advance: a CONNECT never written keeps its value', () => {
  const dir = freshDir()
  const store = createFileBdSeqStore(dir, silentLog)
  assert.equal(store.peek(), 0)
  assert.equal(store.peek(), 0)
  assert.equal(createFileBdSeqStore(dir, silentLog).peek(), 0)
})

test('bdseq - 255 wraps to 0 (tck-id message-flow-edge-node-birth-publish-will-message-payload-bdSeq)', () => {
  const store = createFileBdSeqStore(freshDir(), silentLog)
  store.consume(255)
  assert.equal(store.peek(), 0)
})

test('bdseq - the next value survives a restart (a new store on the same directory)', async () => {
  const dir = freshDir()
  const first = createFileBdSeqStore(dir, silentLog)
  for (let i = 0; i < 7; i++) first.consume(first.peek())
  await first.flushed()
  assert.equal(createFileBdSeqStore(dir, silentLog).peek(), 7)
})

test('bdseq - every stored value from 0 to 255 reads back as itself, the edges included', () => {
  const dir = freshDir()
  for (const value of [0, 1, 99, 254, 255]) {
    writeFileSync(join(dir, 'bdseq'), `${value}\n`)
    const log = recordingLog()
    assert.equal(createFileBdSeqStore(dir, log).peek(), value)
    assert.deepEqual(log.lines, [], `stored ${value}`)
  }
})

test('bdseq - a corrupt file starts at 0 with a warning naming the file and what it holds, never silently', () => {
  for (const content of ['7abc', 'garbage', '', '-1', '256', '300\n', '1e2', '0x10', '12 13']) {
    const dir = freshDir()
    writeFileSync(join(dir, 'bdseq'), content)
    const log = recordingLog()
    assert.equal(createFileBdSeqStore(dir, log).peek(), 0, `file content ${JSON.stringify(content)}`)
    assert.equal(log.lines.length, 1, `file content ${JSON.stringify(content)}`)
    const [line] = log.lines
    assert.equal(line!.level, 'warn')
    assert.match(line!.message, /starting at bdSeq 0/)
    assert.equal(line!.fields?.path, join(dir, 'bdseq'))
    assert.equal(line!.fields?.found, JSON.stringify(content))
  }
})

test('bdseq - an unwritable file never throws: bdSeq advances in memory, logged once, reported, and recovers', async () => {
  const dir = freshDir()
  const log = recordingLog()
  const store = createFileBdSeqStore(dir, log)
  store.consume(store.peek())
  await store.flushed()
  // A directory where the temporary file goes makes every write fail, as a full or read-only disk does.
  mkdirSync(join(dir, 'bdseq.tmp'))
  for (let i = 0; i < 3; i++) {
    store.consume(store.peek())
    await store.flushed()
  }
  assert.equal(store.peek(), 4)
  assert.equal(readFileSync(join(dir, 'bdseq'), 'utf8').trim(), '1')
  const status = store.status()
  assert.equal(status.writable, false)
  assert.equal(status.writeErrors, 3)
  assert.match(status.error ?? '', /EISDIR/)
  const errors = log.lines.filter((l) => l.level === 'error')
  assert.equal(errors.length, 1)
  assert.equal(errors[0]!.fields?.path, join(dir, 'bdseq'))

  rmSync(join(dir, 'bdseq.tmp'), { recursive: true })
  store.consume(store.peek())
  await store.flushed()
  assert.equal(readFileSync(join(dir, 'bdseq'), 'utf8').trim(), '5')
  assert.deepEqual(store.status(), { path: join(dir, 'bdseq'), writable: true, error: null, writeErrors: 3, keptIn: null })
  assert.equal(log.lines.filter((l) => l.level === 'info' && /written again/.test(l.message)).length, 1)
})

test('bdseq - the file is created 0600', async () => {
  const dir = freshDir()
  const store = createFileBdSeqStore(dir, silentLog)
  store.consume(0)
  await store.flushed()
  assert.equal(statSync(join(dir, 'bdseq')).mode & 0o777, 0o600)
})

test('bdseq - memory store starts where told and wraps like the file store', () => {
  const store = createMemoryBdSeqStore()
  assert.equal(store.peek(), 0)
  store.consume(0)
  assert.equal(store.peek(), 1)
  const wrapping = createMemoryBdSeqStore(200)
  assert.equal(wrapping.peek(), 200)
  wrapping.consume(255)
  assert.equal(wrapping.peek(), 0)
})

test('bdseq - with the state file unwritable the value is kept in the runtime directory: a new store (a restart) goes on from it, and once the state file takes writes it moves back', async () => {
  const dir = freshDir()
  const runtime = runtimeDirFor(dir, { RUNTIME_DIRECTORY: join(freshDir(), 'run') })
  mkdirSync(dirname(runtime.path))
  const first = createFileBdSeqStore(dir, silentLog, runtime)
  first.consume(first.peek())
  await first.flushed()
  mkdirSync(join(dir, 'bdseq.tmp'))
  // The second value is consumed while the write of the first is under way: both reach the runtime file.
  first.consume(first.peek())
  first.consume(first.peek())
  await first.flushed()
  assert.equal(first.status().keptIn, join(runtime.path, 'bdseq'))
  assert.equal(readFileSync(join(runtime.path, 'bdseq'), 'utf8').trim(), '3')

  const second = createFileBdSeqStore(dir, silentLog, runtime)
  assert.equal(second.peek(), 3)
  await second.flushed()
  second.consume(second.peek())
  await second.flushed()
  assert.equal(readFileSync(join(runtime.path, 'bdseq'), 'utf8').trim(), '4')
  assert.equal(readFileSync(join(dir, 'bdseq'), 'utf8').trim(), '1')

  rmSync(join(dir, 'bdseq.tmp'), { recursive: true })
  const third = createFileBdSeqStore(dir, silentLog, runtime)
  assert.equal(third.peek(), 4)
  await third.flushed()
  assert.equal(readFileSync(join(dir, 'bdseq'), 'utf8').trim(), '4')
  assert.equal(existsSync(join(runtime.path, 'bdseq')), false)
  assert.equal(third.status().keptIn, null)
  assert.equal(createFileBdSeqStore(dir, silentLog, runtime).peek(), 4)
})
