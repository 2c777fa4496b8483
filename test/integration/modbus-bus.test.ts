/**
 * The Modbus bus on loopback: what it keeps of a request once the request has settled (against
 * pymodbus; a bus lives as long as its connection, days, so anything a settled request leaves
 * behind adds up with every scan), and a request caught by the link dropping (a server here that
 * hangs up instead of answering).
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { setImmediate as turn } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { DriverError } from '../../drivers/driver.js'
import { acquireBus } from '../../drivers/modbus/bus.js'
import { startPymodbus, type Pymodbus } from '../helpers/pymodbus.js'

setFlagsFromString('--expose-gc')
const collectGarbage = runInNewContext('gc') as () => void

let server: Pymodbus
before(async () => {
  server = await startPymodbus()
})
after(async () => {
  await server.stop()
})

test('a settled request leaves nothing of its reply on the bus', async () => {
  const bus = acquireBus(null, { type: 'tcp', host: '127.0.0.1', port: server.port, connectTimeoutMs: 2000 })
  try {
    await bus.connect()
    // The reply is not kept in this frame, so only the bus could be holding it.
    const read = async (): Promise<WeakRef<object>> =>
      new WeakRef(await bus.request(1, 1000, async (client) => ({ words: (await client.readHoldingRegisters(0, 10)).data })))
    const replies: WeakRef<object>[] = []
    for (let i = 0; i < 5; i++) replies.push(await read())
    await turn()
    collectGarbage()
    assert.deepEqual(replies.map((r) => r.deref() !== undefined), [false, false, false, false, false])
  } finally {
    await bus.release()
  }
})

test('a request waiting for its reply fails as a lost connection when the link drops, not at its timeout', async () => {
  const sockets = new Set<Socket>()
  const hangUp = createServer((socket) => {
    sockets.add(socket)
    socket.on('error', () => undefined)
    socket.on('data', () => socket.destroy())
  })
  await new Promise<void>((resolve) => hangUp.listen(0, '127.0.0.1', resolve))
  const { port } = hangUp.address() as { port: number }
  const bus = acquireBus(null, { type: 'tcp', host: '127.0.0.1', port, connectTimeoutMs: 2000 })
  try {
    await bus.connect()
    // Were the drop missed, the request would end at this timeout, as kind 'timeout'.
    const timeoutMs = 3000
    await assert.rejects(bus.request(1, timeoutMs, (client) => client.readHoldingRegisters(0, 10)), (e: unknown) => {
      assert.ok(e instanceof DriverError, String(e))
      assert.equal(e.kind, 'connection')
      return true
    })
    await assert.rejects(bus.request(1, timeoutMs, (client) => client.readHoldingRegisters(0, 10)), (e: unknown) => e instanceof DriverError && e.kind === 'connection')
  } finally {
    await bus.release()
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => hangUp.close(resolve))
  }
})
