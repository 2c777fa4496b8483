/**
 * The Driver contract for the OPC UA driver in both modes, against a real node-opcua server
 * (test/helpers/opcua-server-main.ts) on 127.0.0.1, one server for the whole file.
 */
import { after } from 'node:test'
import { driverContract } from '../contract/driver.contract.js'
import { opcuaDriver } from '../helpers/opcua-driver-kit.js'
import { startOpcuaServer, type OpcuaTestServer } from '../helpers/opcua-server.js'

let server: Promise<OpcuaTestServer> | undefined
after(async () => {
  await (await server)?.stop()
})

for (const mode of ['subscription', 'polling'] as const) {
  driverContract(`opcua ${mode}`, async () => {
    server ??= startOpcuaServer({ counterMs: 50 })
    const { endpoint } = await server
    const driver = opcuaDriver({ endpoint, mode }, [
      { name: 'Double', nodeId: 'ns=1;s=Double', type: 'Double' },
      { name: 'Counter', nodeId: 'ns=1;s=Counter', type: 'UInt32' },
      { name: 'Text', nodeId: 'ns=1;s=String', type: 'String' },
      { name: 'Setpoint', nodeId: 'ns=1;s=Setpoint', type: 'Double', writable: true },
    ])
    return { driver, writable: { point: 'Setpoint', values: [55.5, 20.5] } }
  })
}
