import mqtt from 'mqtt'
import { parseArgs } from 'node:util'
import type { SparkplugType, Value } from '../model/value.js'
import { decodePayload, encodePayload } from '../sparkplug/codec.js'
import { valueAs } from '../sparkplug/codec-metric.js'
import { REBIRTH } from '../node/node-metrics.js'
import type { Payload, PayloadMetric } from '../sparkplug/payload.js'
import { deviceTopic, nodeTopic, type NodeAddress } from '../base/topics.js'
import { EX_UNAVAILABLE, EX_USAGE } from './exit-codes.js'

export const help = `Usage: sparkplug-gateway cmd --broker URL --group G --node N [--device D] 'Metric=value' ...

Sends an NCMD (no --device) or DCMD write. Each value is typed from the node's birth
certificate: the command asks the node for a rebirth and waits for its NBIRTH/DBIRTH, so the
metric must exist there. Then it waits for the DDATA/NDATA that reports the new value.

  --broker URL        mqtt://host:1883 (mqtts://, ws:// also)
  --group G           Sparkplug group id
  --node N            edge node id
  --device D          device id (a DCMD); without it, an NCMD
  --username U, --password P
  --timeout DURATION  how long to wait for the birth and for the read-back, in seconds (default 10)

Examples:
  sparkplug-gateway cmd --broker mqtt://127.0.0.1:1883 --group Plant1 --node Line3-GW --device Boiler1 'Setpoint=42.5'
  sparkplug-gateway cmd --broker mqtt://127.0.0.1:1883 --group Plant1 --node Line3-GW 'Node Control/Rebirth=true'`

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      broker: { type: 'string' }, group: { type: 'string' }, node: { type: 'string' }, device: { type: 'string' },
      username: { type: 'string' }, password: { type: 'string' }, timeout: { type: 'string', default: '10' },
    },
  })
  if (!values.broker || !values.group || !values.node || positionals.length === 0) {
    console.error(help)
    return EX_USAGE
  }
  const writes = positionals.map(splitAssignment)
  const bad = writes.find((w) => w === null)
  if (bad !== undefined) {
    console.error("each write is 'Metric Name=value'")
    return EX_USAGE
  }
  const node: NodeAddress = { groupId: values.group, edgeNodeId: values.node }
  const deviceId = values.device ?? null
  const timeoutMs = Number(values.timeout) * 1000
  const client = mqtt.connect(values.broker, { username: values.username, password: values.password, reconnectPeriod: 0, connectTimeout: timeoutMs })
  try {
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve())
      client.once('error', reject)
    })
  } catch (error) {
    console.error(`cannot connect to ${values.broker}: ${(error as Error).message}`)
    client.end(true)
    return EX_UNAVAILABLE
  }
  try {
    return await send(client, node, deviceId, writes as [string, string][], timeoutMs)
  } finally {
    await client.endAsync()
  }
}

async function send(client: mqtt.MqttClient, node: NodeAddress, deviceId: string | null, writes: [string, string][], timeoutMs: number): Promise<number> {
  const birthTopic = deviceId === null ? nodeTopic(node, 'NBIRTH') : deviceTopic(node, 'DBIRTH', deviceId)
  const dataTopic = deviceId === null ? nodeTopic(node, 'NDATA') : deviceTopic(node, 'DDATA', deviceId)
  const birth = waitFor(client, birthTopic, timeoutMs, () => true)
  await client.subscribeAsync([birthTopic, dataTopic], { qos: 0 })
  const rebirth: Payload = { timestamp: Date.now(), metrics: [{ name: REBIRTH, datatype: 'Boolean', value: true }] }
  await client.publishAsync(nodeTopic(node, 'NCMD'), Buffer.from(encodePayload(rebirth, { uint32Field: 'long_value' })))
  const declared = await birth
  if (declared === null) {
    console.error(`no ${birthTopic} within ${timeoutMs / 1000} s: is the node online and subscribed to NCMD?`)
    return EX_UNAVAILABLE
  }
  const metrics: PayloadMetric[] = []
  for (const [name, text] of writes) {
    const def = declared.metrics.find((m) => m.name === name)
    if (def === undefined || def.datatype === undefined) {
      console.error(`'${name}' is not in the birth certificate of ${birthTopic}`)
      return EX_USAGE
    }
    const value = typed(def.datatype as SparkplugType, text)
    if (value === undefined) {
      console.error(`'${text}' is not a ${def.datatype} value for '${name}'`)
      return EX_USAGE
    }
    metrics.push({ name, ...(def.alias !== undefined ? { alias: def.alias } : {}), timestamp: Date.now(), datatype: def.datatype, value })
  }
  const aliases = new Set(metrics.map((m) => m.alias).filter((a) => a !== undefined))
  const readBack = waitFor(client, dataTopic, timeoutMs, (p) => p.metrics.some((m) => m.alias !== undefined && aliases.has(m.alias)))
  const cmdTopic = deviceId === null ? nodeTopic(node, 'NCMD') : deviceTopic(node, 'DCMD', deviceId)
  await client.publishAsync(cmdTopic, Buffer.from(encodePayload({ timestamp: Date.now(), metrics }, { uint32Field: 'long_value' })))
  console.log(`sent ${cmdTopic}: ${writes.map(([n, v]) => `${n}=${v}`).join(', ')}`)
  const data = await readBack
  if (data === null) {
    console.log(`no read-back in ${dataTopic} within ${timeoutMs / 1000} s (the value may be unchanged, or the write refused: see the gateway log)`)
    return 0
  }
  for (const m of data.metrics.filter((m) => m.alias !== undefined && aliases.has(m.alias))) {
    const written = metrics.find((w) => w.alias === m.alias)!
    // DATA carries no datatype: the birth's says whether int_value holds a negative Int8/16/32.
    const value = m.datatype === undefined ? valueAs(m, written.datatype!) : m.value
    console.log(`read back ${written.name} = ${m.isNull ? 'null (bad quality)' : String(value)}`)
  }
  return 0
}

function waitFor(client: mqtt.MqttClient, topic: string, timeoutMs: number, accept: (p: Payload) => boolean): Promise<Payload | null> {
  return new Promise((resolve) => {
    const onMessage = (t: string, bytes: Buffer) => {
      if (t !== topic) return
      try {
        const payload = decodePayload(bytes)
        if (!accept(payload)) return
        done(payload)
      } catch {
        // Not a Sparkplug payload: not the message we wait for.
      }
    }
    const timer = setTimeout(() => done(null), timeoutMs)
    const done = (p: Payload | null) => {
      clearTimeout(timer)
      client.off('message', onMessage)
      resolve(p)
    }
    client.on('message', onMessage)
  })
}

function splitAssignment(text: string): [string, string] | null {
  const at = text.lastIndexOf('=')
  return at <= 0 ? null : [text.slice(0, at), text.slice(at + 1)]
}

/** Text typed by the user -> the value the birth's datatype calls for; undefined if it does not fit. */
export function typed(type: SparkplugType, text: string): Value | undefined {
  switch (type) {
    case 'Boolean':
      return text === 'true' ? true : text === 'false' ? false : undefined
    case 'String': case 'Text': case 'UUID':
      return text
    case 'Float': case 'Double': {
      const n = Number(text)
      return text.trim() !== '' && Number.isFinite(n) ? n : undefined
    }
    case 'Int64': case 'UInt64': case 'DateTime':
      return /^-?\d+$/.test(text) ? BigInt(text) : undefined
    case 'Int8': case 'Int16': case 'Int32': case 'UInt8': case 'UInt16': case 'UInt32':
      return /^-?\d+$/.test(text) ? Number(text) : undefined
    default:
      return undefined
  }
}
