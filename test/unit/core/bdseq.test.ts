import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { createFileBdSeqStore, createMemoryBdSeqStore } from '../../../gateway/sparkplug/bdseq.js'

const root = mkdtempSync(join(tmpdir(), 'bdseq-test-'))
after(() => rmSync(root, { recursive: true, force: true }))
let dirs = 0
const freshDir = (): string => join(root, `state-${dirs++}`)

test('bdseq - a fresh install starts at 0 (tck-id topics-nbirth-bdseq-increment)', () => {
  assert.equal(createFileBdSeqStore(freshDir()).peek(), 0)
})

test('bdseq - consuming a value makes the next CONNECT use value + 1', () => {
  const store = createFileBdSeqStore(freshDir())
  store.consume(store.peek())
  assert.equal(store.peek(), 1)
  store.consume(1)
  assert.equal(store.peek(), 2)
})

test('bdseq - peeking alone does not advance: a CONNECT never written keeps its value', () => {
  const dir = freshDir()
  const store = createFileBdSeqStore(dir)
  assert.equal(store.peek(), 0)
  assert.equal(store.peek(), 0)
  assert.equal(createFileBdSeqStore(dir).peek(), 0)
})

test('bdseq - 255 wraps to 0 (tck-id message-flow-edge-node-birth-publish-will-message-payload-bdSeq)', () => {
  const store = createFileBdSeqStore(freshDir())
  store.consume(255)
  assert.equal(store.peek(), 0)
})

test('bdseq - the next value survives a restart (a new store on the same directory)', () => {
  const dir = freshDir()
  const first = createFileBdSeqStore(dir)
  for (let i = 0; i < 7; i++) first.consume(first.peek())
  assert.equal(createFileBdSeqStore(dir).peek(), 7)
})

test('bdseq - the state directory is created when missing', () => {
  const dir = join(freshDir(), 'nested', 'deeper')
  createFileBdSeqStore(dir).consume(41)
  assert.equal(readFileSync(join(dir, 'bdseq'), 'utf8').trim(), '42')
})

test('bdseq - a garbage or out-of-range file starts over at 0', () => {
  for (const content of ['garbage', '', '-1', '256', '300\n']) {
    const dir = freshDir()
    createFileBdSeqStore(dir).consume(0)
    writeFileSync(join(dir, 'bdseq'), content)
    assert.equal(createFileBdSeqStore(dir).peek(), 0, `file content ${JSON.stringify(content)}`)
  }
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
