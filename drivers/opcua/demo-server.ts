/**
 * A small OPC UA server for `sparkplug-gateway demo`: an oven whose temperature follows a writable
 * setpoint with a slow swing, a door that opens now and then, and a batch counter. Values are set
 * on a 250 ms timer so the server pushes them to subscriptions. Imports node-opcua: load it with
 * `import()` from the demo only.
 */
import {
  DataType, MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy, Variant, setWarningLogger,
} from 'node-opcua'

// node-opcua's console notes (one is printed while it loads) would scroll through the demo's view.
setWarningLogger(() => undefined)

export interface DemoOpcuaServer {
  /** opc.tcp://127.0.0.1:<port>/demo */
  readonly endpoint: string
  close(): Promise<void>
}

export async function startDemoOpcuaServer(port: number, pkiDir: string): Promise<DemoOpcuaServer> {
  const server = new OPCUAServer({
    port,
    hostname: '127.0.0.1',
    resourcePath: '/demo',
    serverCertificateManager: new OPCUACertificateManager({ rootFolder: pkiDir, automaticallyAcceptUnknownCertificate: true, disableFileWatchers: true }),
    securityModes: [MessageSecurityMode.None],
    securityPolicies: [SecurityPolicy.None],
    buildInfo: { productName: 'sparkplug-gateway demo oven' },
  })
  await server.initialize()
  const addressSpace = server.engine.addressSpace!
  const ns = addressSpace.getOwnNamespace()
  const oven = ns.addObject({ organizedBy: addressSpace.rootFolder.objects, browseName: 'Oven1', nodeId: 's=Oven1' })
  const variable = (name: string, dataType: 'Double' | 'Boolean' | 'UInt32', writable = false) =>
    ns.addVariable({
      componentOf: oven, browseName: name, nodeId: `s=Oven1.${name}`, dataType,
      accessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead', userAccessLevel: writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
    })
  const temperature = variable('Temperature', 'Double')
  const door = variable('DoorOpen', 'Boolean')
  const batches = variable('Batches', 'UInt32')
  const setpoint = variable('Setpoint', 'Double', true)
  setpoint.setValueFromSource(new Variant({ dataType: DataType.Double, value: 180 }))
  const started = Date.now()
  const tick = (): void => {
    const t = (Date.now() - started) / 1000
    const target = Number(setpoint.readValue().value.value)
    temperature.setValueFromSource(new Variant({ dataType: DataType.Double, value: Math.round((target + 5 * Math.sin(t / 4)) * 10) / 10 }))
    door.setValueFromSource(new Variant({ dataType: DataType.Boolean, value: Math.floor(t / 10) % 3 === 2 }))
    batches.setValueFromSource(new Variant({ dataType: DataType.UInt32, value: Math.floor(t / 5) }))
  }
  tick()
  const timer = setInterval(tick, 250)
  await server.start()
  return {
    endpoint: `opc.tcp://127.0.0.1:${port}/demo`,
    async close() {
      clearInterval(timer)
      await server.shutdown(0)
    },
  }
}
