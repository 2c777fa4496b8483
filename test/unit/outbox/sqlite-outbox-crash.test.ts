import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { test } from 'node:test'
import { createSqliteOutbox } from '../../../gateway/outbox/sqlite-outbox.js'
import { silentLog } from '../../../gateway/runtime/log.js'

const outboxModule = new URL('../../../gateway/outbox/sqlite-outbox.js', import.meta.url).href
const logModule = new URL('../../../gateway/runtime/log.js', import.meta.url).href

/** Runs `body` in a child node process that has `outbox` (on `path`) and `record(n)` in scope. */
function child(path: string, commitIntervalMs: number, body: string) {
  const script = `
    import { createSqliteOutbox } from ${JSON.stringify(outboxModule)}
    import { silentLog } from ${JSON.stringify(logModule)}
    const outbox = createSqliteOutbox({ path: ${JSON.stringify(path)}, maxSizeBytes: 64 * 1024 * 1024,
      whenFull: 'drop-oldest', durability: 'process', commitIntervalMs: ${commitIntervalMs}, log: silentLog })
    const record = (n) => ({ deviceId: 'dev' + (n % 4), at: 1700000000000 + n,
      metrics: [{ name: 'n', type: 'Int64', value: BigInt(n), at: 1700000000000 + n }, { name: 'x', type: 'Double', value: n / 3, at: 1700000000000 + n }] })
    ${body}`
  return spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
}

function reopenValues(path: string): number[] {
  const outbox = createSqliteOutbox({ path, maxSizeBytes: 64 * 1024 * 1024, whenFull: 'drop-oldest', durability: 'process', log: silentLog })
  try {
    const entries = outbox.peek(1_000_000)
    for (let i = 1; i < entries.length; i++) assert.ok(entries[i].id > entries[i - 1].id)
    for (const e of entries) assert.equal(e.metrics[1].value, Number(e.metrics[0].value) / 3)
    return entries.map((e) => Number(e.metrics[0].value))
  } finally {
    outbox.close()
  }
}

test('sqlite outbox - kill -9 mid-stream keeps every committed record, in order, once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-crash-'))
  const path = join(dir, 'buffer.db')
  try {
    // A commit interval far beyond the test: only flushed() (and large batches) commit here.
    const proc = child(path, 3_600_000, `
      let n = 0
      const step = async () => {
        for (let i = 0; i < 500; i++) outbox.add(record(n++))
        await outbox.flushed()
        process.stdout.write('committed ' + (n - 1) + '\\n')
        for (let i = 0; i < 250; i++) outbox.add(record(n++))
        if (n < 2_000_000) setImmediate(step)
      }
      step()`)
    const exited = new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, signal) => resolve(signal)))
    let committed = -1
    for await (const line of createInterface({ input: proc.stdout })) {
      committed = Number(line.split(' ')[1])
      if (committed >= 20_000) break
    }
    proc.kill('SIGKILL')
    assert.equal(await exited, 'SIGKILL')
    const values = reopenValues(path)
    assert.ok(values.length > committed, `${values.length} records after ${committed} was reported committed`)
    assert.deepEqual(values, Array.from({ length: values.length }, (_, i) => i))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('sqlite outbox - the commit timer alone makes records durable before a kill -9', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-timer-'))
  const path = join(dir, 'buffer.db')
  try {
    // Node fires timers in order of their due time, so the 50 ms commit runs before the kill.
    const proc = child(path, 50, `
      for (let n = 0; n < 3; n++) outbox.add(record(n))
      setTimeout(() => process.kill(process.pid, 'SIGKILL'), 60)`)
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => proc.on('exit', (_code, s) => resolve(s)))
    assert.equal(signal, 'SIGKILL')
    assert.deepEqual(reopenValues(path), [0, 1, 2])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
