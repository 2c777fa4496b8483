/**
 * The Node-RED peer: a headless Node-RED whose flow is generated for the load, built as a Node-RED
 * user builds it without Sparkplug nodes (their packages are not in the registry this machine
 * reaches): one node-red-contrib-modbus client per device, one read node per register block, a
 * function node that encodes each block's values as DDATA with sparkplug-payload (made available
 * through `functionGlobalContext`, the usual way), and the core MQTT out node.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { blocks, type Load } from './load.js'

// The function node's body. msg.topic is "<device>/<kind>/<index of the block's first tag>/<tags>".
const ENCODE = (groupId: string) => `
const sparkplug = global.get('sparkplug')
const [device, kind, first, count] = msg.topic.split('/')
const start = Number(first)
const values = msg.payload
const timestamp = Date.now()
const metrics = []
const word = Buffer.alloc(4)
if (kind === 'U16') {
  for (let i = 0; i < values.length; i++) metrics.push({ name: 'U16/T' + (start + i), type: 'UInt16', value: values[i], timestamp })
} else if (kind === 'Coil') {
  for (let i = 0; i < Number(count); i++) metrics.push({ name: 'Coil/T' + (start + i), type: 'Boolean', value: !!values[i], timestamp })
} else {
  for (let i = 0; i + 1 < values.length; i += 2) {
    if (kind === 'F32') { word.writeUInt16BE(values[i + 1], 0); word.writeUInt16BE(values[i], 2) }
    else { word.writeUInt16BE(values[i], 0); word.writeUInt16BE(values[i + 1], 2) }
    const value = kind === 'F32' ? word.readFloatBE(0) : word.readInt32BE(0)
    metrics.push({ name: kind + '/T' + (start + i / 2), type: kind === 'F32' ? 'Float' : 'Int32', value, timestamp })
  }
}
const seq = context.get('seq') || 0
context.set('seq', (seq + 1) % 256)
msg.topic = 'spBv1.0/${groupId}/DDATA/NodeRED/' + device
msg.payload = sparkplug.encodePayload({ timestamp, seq, metrics })
return msg
`

function flow(load: Load, groupId: string, brokerPort: number, modbusPort: number): object[] {
  const nodes: object[] = [
    { id: 'tab', type: 'tab', label: 'bench', env: [] },
    { id: 'broker', type: 'mqtt-broker', name: '', broker: '127.0.0.1', port: String(brokerPort), clientid: '', autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '60', cleansession: true, birthTopic: '', closeTopic: '', willTopic: '' },
    { id: 'out', type: 'mqtt out', z: 'tab', name: '', topic: '', qos: '0', retain: 'false', broker: 'broker', x: 600, y: 40, wires: [] },
    { id: 'encode', type: 'function', z: 'tab', name: 'encode DDATA', func: ENCODE(groupId), outputs: 1, noerr: 0, initialize: '', finalize: '', libs: [], x: 400, y: 40, wires: [['out']] },
  ]
  for (let d = 1; d <= load.devices; d++) {
    nodes.push({
      id: `client${d}`, type: 'modbus-client', name: `Dev${d}`, clienttype: 'tcp', bufferCommands: true, stateLogEnabled: false, queueLogEnabled: false, failureLogEnabled: true,
      tcpHost: '127.0.0.1', tcpPort: String(modbusPort), tcpType: 'DEFAULT', serialPort: '/dev/ttyUSB', serialType: 'RTU-BUFFERD', serialBaudrate: '9600', serialDatabits: '8', serialStopbits: '1', serialParity: 'none', serialConnectionDelay: '100', serialAsciiResponseStartDelimiter: '0x3A',
      unit_id: String(d), commandDelay: '1', clientTimeout: '1000', reconnectOnTimeout: true, reconnectTimeout: '2000', parallelUnitIdsAllowed: true,
    })
    for (const [b, block] of blocks(load).entries()) {
      nodes.push({
        id: `read${d}_${b}`, type: 'modbus-read', z: 'tab', name: '', topic: `Dev${d}/${block.kind}/${block.firstTag}/${block.kind === 'Coil' ? block.quantity : block.quantity / (block.kind === 'U16' ? 1 : 2)}`, showStatusActivities: false, logIOActivities: false, showErrors: false,
        unitid: '', dataType: block.kind === 'Coil' ? 'Coil' : 'HoldingRegister', adr: String(block.address), quantity: String(block.quantity), rate: String(load.pollMs), rateUnit: 'ms',
        delayOnStart: false, startDelayTime: '', server: `client${d}`, useIOFile: false, ioFile: '', useIOForPayload: false, emptyMsgOnFail: false, x: 150, y: 40 * (d * 20 + b), wires: [['encode'], []],
      })
    }
  }
  return nodes
}

/** Writes settings.js and flows.json into `dir`; returns the arguments for node-red's red.js. */
export function writeNodeRedProject(dir: string, peersDir: string, load: Load, groupId: string, brokerPort: number, modbusPort: number): string[] {
  mkdirSync(dir, { recursive: true })
  // Node-RED finds node modules under <userDir>/node_modules.
  symlinkSync(join(peersDir, 'node_modules'), join(dir, 'node_modules'))
  const settings = `module.exports = {
  flowFile: 'flows.json',
  flowFilePretty: false,
  credentialSecret: false,
  uiHost: '127.0.0.1',
  httpAdminRoot: false,
  httpNodeRoot: false,
  disableEditor: true,
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  functionGlobalContext: { sparkplug: require(${JSON.stringify(join(peersDir, 'node_modules', 'sparkplug-payload'))}).get('spBv1.0') },
  externalModules: { autoInstall: false, palette: { allowInstall: false }, modules: { allowInstall: false } },
  diagnostics: { enabled: false },
  telemetry: { enabled: false, updateNotification: false },
  editorTheme: { projects: { enabled: false } },
}
`
  writeFileSync(join(dir, 'settings.js'), settings)
  writeFileSync(join(dir, 'flows.json'), JSON.stringify(flow(load, groupId, brokerPort, modbusPort)))
  return [join(peersDir, 'node_modules', 'node-red', 'red.js'), '--settings', join(dir, 'settings.js'), '--userDir', dir, join(dir, 'flows.json')]
}
