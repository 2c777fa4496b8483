/**
 * The Modbus driver against misbehaving TCP servers written here: one that answers with random
 * bytes, one with well-framed but wrong replies, one that is always busy. Nothing may crash.
 */
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Server, type Socket } from 'node:net'
import { randomBytes } from 'node:crypto'
import { DriverError, type Driver } from '../../drivers/driver.js'
import { modbusModule } from '../../drivers/modbus/index.js'
import { silentLog } from '../../gateway/runtime/log.js'

/** A TCP server on a free loopback port; `answer` turns each request chunk into a reply (or nothing). */
async function fakeServer(answer: (request: Buffer) => Buffer | null): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => undefined)
    socket.on('data', (request) => {
      const reply = answer(request)
      if (reply) socket.write(reply)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  assert.ok(address !== null && typeof address === 'object')
  return {
    port: address.port,
    close: () => {
      for (const s of sockets) s.destroy()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

function driverAt(port: number): Driver {
  const parsed = modbusModule.parse(
    { driver: 'modbus-tcp', connection: { host: '127.0.0.1', port, timeout: '300ms' }, tags: [{ name: 'a', address: 'HR0', type: 'float32' }, { name: 'b', address: 'HR4' }] },
    [],
  )
  assert.ok(parsed.ok)
  return modbusModule.create(parsed.value, silentLog)
}

/** A driver opened on a fake server answering with `answer`; both are closed when `t` ends. */
async function openedAgainst(t: TestContext, answer: (request: Buffer) => Buffer | null): Promise<Driver> {
  const server = await fakeServer(answer)
  const driver = driverAt(server.port)
  t.after(async () => {
    await driver.close()
    await server.close()
  })
  await driver.open()
  return driver
}

/** MBAP header for a reply to `request` carrying `pdu`. */
const reply = (request: Buffer, pdu: number[]): Buffer =>
  Buffer.concat([request.subarray(0, 4), Buffer.from([0, pdu.length + 1, request[6]]), Buffer.from(pdu)])

const replies: [string, (request: Buffer) => Buffer | null][] = [
  ['random bytes', () => randomBytes(1 + Math.floor(Math.random() * 40))],
  ['a well-framed reply with a byte count that does not match', (r) => reply(r, [3, 200, 1, 2])],
  ['a reply with the wrong function code', (r) => reply(r, [4, 12, ...new Array(12).fill(0)])],
  ['a reply from another unit id', (r) => Buffer.concat([r.subarray(0, 4), Buffer.from([0, 13, 99, 3, 10]), Buffer.alloc(10)])],
  ['a truncated reply', (r) => reply(r, [3, 10, 1])],
]

for (const [what, answer] of replies) {
  test(`modbus faults - ${what}: every read rejects with a DriverError and nothing crashes`, async (t) => {
    const driver = await openedAgainst(t, answer)
    for (let i = 0; i < 3; i++) {
      await assert.rejects(driver.read(['a', 'b']), (e: unknown) => {
        assert.ok(e instanceof DriverError, `expected a DriverError, got ${String(e)}`)
        assert.ok(['timeout', 'connection', 'decode'].includes(e.kind), e.kind)
        return true
      })
    }
  })
}

test('modbus faults - exception 6 (busy) rejects the whole read with kind busy', async (t) => {
  const driver = await openedAgainst(t, (r) => reply(r, [r[7] | 0x80, 6]))
  await assert.rejects(driver.read(['a', 'b']), (e: unknown) => e instanceof DriverError && e.kind === 'busy' && /exception 6/.test(e.message))
})

test('modbus faults - exception 4 (device failure) marks the block bad without rejecting the read', async (t) => {
  const driver = await openedAgainst(t, (r) => reply(r, [r[7] | 0x80, 4]))
  const readings = await driver.read(['a', 'b'])
  assert.deepEqual(readings.map((r) => 'error' in r && r.error.kind), ['rejected', 'rejected'])
})

test('modbus faults - nothing listening: open rejects with kind connection', async () => {
  const server = await fakeServer(() => null)
  const port = server.port
  await server.close()
  const driver = driverAt(port)
  await assert.rejects(driver.open(), (e: unknown) => e instanceof DriverError && e.kind === 'connection')
  await driver.close()
})
