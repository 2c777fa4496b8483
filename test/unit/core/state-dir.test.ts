import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { Log, LogFields } from '../../../gateway/model/log.js'
import { prepareStateDir, StateDirError } from '../../../gateway/base/private-dir.js'

const root = mkdtempSync(join(tmpdir(), 'state-dir-test-'))
after(() => rmSync(root, { recursive: true, force: true }))

function recordingLog(): Log & { lines: { level: string; message: string; fields?: LogFields }[] } {
  const lines: { level: string; message: string; fields?: LogFields }[] = []
  const at = (level: string) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields })
  const log = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log }
  return log
}

test('state dir - a missing directory and its missing parents are created 0700, silently', () => {
  const log = recordingLog()
  const dir = join(root, 'var', 'lib', 'sparkplug-gateway')
  prepareStateDir(dir, log)
  assert.equal(statSync(dir).mode & 0o777, 0o700)
  assert.equal(statSync(join(root, 'var')).mode & 0o777, 0o700)
  assert.deepEqual(log.lines, [])
})

test('state dir - an existing group- or world-writable directory is kept and warned about', () => {
  const dir = join(root, 'shared')
  mkdirSync(dir)
  chmodSync(dir, 0o777)
  const log = recordingLog()
  prepareStateDir(dir, log)
  assert.equal(statSync(dir).mode & 0o777, 0o777)
  assert.equal(log.lines.length, 1)
  assert.equal(log.lines[0]!.level, 'warn')
  assert.equal(log.lines[0]!.fields?.path, dir)
})

test('state dir - a file in the way is a StateDirError naming stateDir and the file', () => {
  const file = join(root, 'a-file')
  writeFileSync(file, '')
  for (const dir of [file, join(file, 'state')]) {
    assert.throws(() => prepareStateDir(dir, recordingLog()), (err: unknown) => {
      assert.ok(err instanceof StateDirError)
      assert.match(err.message, new RegExp(`^stateDir ${dir}: ${file} exists and is not a directory`))
      return true
    })
  }
})
