/**
 * A node-opcua server for the tests, run as its own process by opcua-server.ts so that a test can
 * kill it by PID and start it again on the same port with the same certificate. Options come as
 * one JSON argument; commands arrive as JSON lines on stdin and each gets one JSON line back:
 *   { cmd: 'set', name, value }            value of a variable (Int64/UInt64 as decimal strings)
 *   { cmd: 'status', name, status }        'Good' | 'Uncertain' | 'Bad': the variable's status code
 *   { cmd: 'get', name }                   -> { value } (64-bit integers as decimal strings)
 *   { cmd: 'publishing', on }              false: Publish requests are held unanswered (a stuck
 *                                          publish engine; Read and the rest still answer)
 * The first line it prints is { port, certificateFile } once it listens.
 */
import { createInterface } from 'node:readline'
import {
  DataType, MessageSecurityMode, OPCUACertificateManager, OPCUAServer, SecurityPolicy, StatusCodes,
  type UAVariable, Variant, VariantArrayType,
} from 'node-opcua'
import { scalars } from './opcua-values.js'

export interface OpcuaServerOptions {
  readonly port: number
  /** The server's own PKI folder: its certificate lives here across restarts. */
  readonly pkiDir: string
  /** Only SignAndEncrypt with Basic256Sha256 is offered (no None endpoint). */
  readonly secure?: boolean
  /** Username -> password; when given, anonymous sessions are refused. */
  readonly users?: Readonly<Record<string, string>>
  /** Milliseconds between increments of Counter; 0 keeps it still. */
  readonly counterMs?: number
  /**
   * For the benchmark: `count` Double variables ns=1;s=Bulk.<i> (folder Bulk), all set every
   * `periodMs` to the time of the change (ms since epoch), and the server's usual operation limits.
   */
  readonly bulk?: { readonly count: number; readonly periodMs: number }
  /** BigString (String of `stringBytes` ASCII bytes) and BigArray (Double[`arrayLength`]), both new every `changeMs`. */
  readonly big?: { readonly stringBytes: number; readonly arrayLength: number; readonly changeMs: number }
}

function toVariant(dataType: keyof typeof DataType, value: unknown, array = false): Variant {
  const one = (v: unknown): unknown => {
    switch (dataType) {
      case 'Int64':
      case 'UInt64': {
        // node-opcua carries 64-bit integers as [high, low] 32-bit words.
        const u = BigInt.asUintN(64, BigInt(v as string))
        return [Number(u >> 32n), Number(u & 0xffffffffn)]
      }
      case 'DateTime': return new Date(v as string)
      case 'ByteString': return Buffer.from(v as number[])
      case 'StatusCode': return (StatusCodes as unknown as Record<string, unknown>)[v as string]
      default: return v
    }
  }
  if (array) return new Variant({ dataType: DataType[dataType], arrayType: VariantArrayType.Array, value: (value as unknown[]).map(one) })
  return new Variant({ dataType: DataType[dataType], arrayType: VariantArrayType.Scalar, value: one(value) })
}

function fromVariant(v: Variant): unknown {
  const one = (x: unknown): unknown => {
    if (v.dataType === DataType.Int64 || v.dataType === DataType.UInt64) {
      const [hi, lo] = x as [number, number]
      const u = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)
      return (v.dataType === DataType.Int64 ? BigInt.asIntN(64, u) : u).toString()
    }
    return x instanceof Date ? x.toISOString() : x
  }
  if (v.arrayType === VariantArrayType.Array) return Array.from(v.value as ArrayLike<unknown>, one)
  return one(v.value)
}

async function main(options: OpcuaServerOptions): Promise<void> {
  const serverCertificateManager = new OPCUACertificateManager({ rootFolder: options.pkiDir, automaticallyAcceptUnknownCertificate: true })
  const users = options.users
  const server = new OPCUAServer({
    port: options.port,
    hostname: '127.0.0.1',
    resourcePath: '/test',
    serverCertificateManager,
    securityModes: options.secure ? [MessageSecurityMode.SignAndEncrypt] : [MessageSecurityMode.None],
    securityPolicies: options.secure ? [SecurityPolicy.Basic256Sha256] : [SecurityPolicy.None],
    allowAnonymous: users === undefined,
    userManager: users === undefined ? undefined : { isValidUser: (name: string, password: string) => users[name] === password },
    // Tiny limits make the tests exercise the driver's batching; the benchmark wants a server's own.
    serverCapabilities: { operationLimits: options.bulk ? { maxMonitoredItemsPerCall: 1000, maxNodesPerRead: 1000 } : { maxMonitoredItemsPerCall: 4, maxNodesPerRead: 5 } },
  })
  await server.initialize()
  const addressSpace = server.engine.addressSpace!
  const ns = addressSpace.getOwnNamespace()
  const folder = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'Plant', nodeId: 's=Plant' })
  const variables = new Map<string, { variable: UAVariable; dataType: keyof typeof DataType; array: boolean }>()
  const add = (name: string, dataType: keyof typeof DataType, value: unknown, extra: { array?: boolean; writable?: boolean } = {}): void => {
    const variable = ns.addVariable({
      componentOf: folder,
      browseName: name,
      nodeId: `s=${name}`,
      dataType,
      valueRank: extra.array ? 1 : -1,
      accessLevel: extra.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
      userAccessLevel: extra.writable ? 'CurrentRead | CurrentWrite' : 'CurrentRead',
    })
    variable.setValueFromSource(toVariant(dataType, value, extra.array))
    variables.set(name, { variable, dataType, array: extra.array ?? false })
  }
  for (const s of scalars) add(s.name, s.dataType, s.value)
  add('DoubleArray', 'Double', [1.5, 2.5, 3.5], { array: true })
  add('Int32Array', 'Int32', [1, -2, 3], { array: true })
  add('Setpoint', 'Double', 20, { writable: true })
  add('WritableInt16', 'Int16', 7, { writable: true })
  add('Counter', 'UInt32', 0)
  add('Status', 'Double', 1)
  const level = ns.addAnalogDataItem({
    componentOf: folder, browseName: 'Level', nodeId: 's=Level', dataType: 'Double', engineeringUnitsRange: { low: 0, high: 100 },
  })
  level.setValueFromSource(new Variant({ dataType: DataType.Double, value: 0 }))
  variables.set('Level', { variable: level, dataType: 'Double', array: false })

  if (options.counterMs) {
    let count = 0
    setInterval(() => variables.get('Counter')!.variable.setValueFromSource(new Variant({ dataType: DataType.UInt32, value: ++count })), options.counterMs)
  }

  if (options.big) {
    const { stringBytes, arrayLength, changeMs } = options.big
    add('BigString', 'String', 'x')
    add('BigArray', 'Double', [0], { array: true })
    let round = 0
    const change = (): void => {
      round++
      variables.get('BigString')!.variable.setValueFromSource(new Variant({ dataType: DataType.String, value: String(round % 10).repeat(stringBytes) }))
      variables.get('BigArray')!.variable.setValueFromSource(new Variant({
        dataType: DataType.Double, arrayType: VariantArrayType.Array, value: new Float64Array(arrayLength).fill(round),
      }))
    }
    change()
    setInterval(change, changeMs)
  }

  if (options.bulk) {
    const bulkFolder = ns.addFolder(addressSpace.rootFolder.objects, { browseName: 'Bulk', nodeId: 's=Bulk' })
    const bulk = Array.from({ length: options.bulk.count }, (_, i) =>
      ns.addVariable({ componentOf: bulkFolder, browseName: `Bulk.${i}`, nodeId: `s=Bulk.${i}`, dataType: 'Double' }))
    setInterval(() => {
      const at = Date.now()
      for (const v of bulk) v.setValueFromSource(new Variant({ dataType: DataType.Double, value: at }))
    }, options.bulk.periodMs)
  }

  // The base server dispatches each request to its `_on_<RequestName>` method.
  const dispatch = server as unknown as { _on_PublishRequest: (...args: unknown[]) => void }
  const publish = dispatch._on_PublishRequest.bind(server)
  let publishing = true
  dispatch._on_PublishRequest = (...args) => {
    if (publishing) publish(...args)
  }

  await server.start()
  const answer = (o: unknown): boolean => process.stdout.write(JSON.stringify(o) + '\n')
  answer({ port: options.port, certificateFile: server.certificateFile })

  createInterface({ input: process.stdin }).on('line', (line) => {
    try {
      const cmd = JSON.parse(line) as { cmd: string; name: string; value?: unknown; status?: string; on?: boolean }
      if (cmd.cmd === 'publishing') {
        publishing = cmd.on === true
        return void answer({ ok: true })
      }
      const entry = variables.get(cmd.name)
      if (entry === undefined) throw new Error(`no variable ${cmd.name}`)
      const v = entry.variable
      if (cmd.cmd === 'set') v.setValueFromSource(toVariant(entry.dataType, cmd.value, entry.array))
      else if (cmd.cmd === 'status') {
        const code = { Good: StatusCodes.Good, Uncertain: StatusCodes.UncertainLastUsableValue, Bad: StatusCodes.BadSensorFailure }[cmd.status ?? '']
        if (code === undefined) throw new Error(`unknown status ${cmd.status}`)
        v.setValueFromSource(v.readValue().value, code)
      } else if (cmd.cmd === 'get') return void answer({ ok: true, value: fromVariant(v.readValue().value) })
      else throw new Error(`unknown command ${cmd.cmd}`)
      answer({ ok: true })
    } catch (error) {
      answer({ ok: false, error: (error as Error).message })
    }
  })
  process.stdin.once('end', () => process.exit(0))
}

await main(JSON.parse(process.argv[2] ?? '{}') as OpcuaServerOptions)
