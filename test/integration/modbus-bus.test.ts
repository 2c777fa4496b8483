/**
 * The Modbus bus against pymodbus on loopback: what it keeps of a request once the request has
 * settled. A bus lives as long as its connection (days), so anything a settled request leaves
 * behind adds up with every scan.
 */
import { after, before, test } from 'node:test'
import assert from 'node:assert/strict'
import { setImmediate as turn } from 'node:timers/promises'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
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
