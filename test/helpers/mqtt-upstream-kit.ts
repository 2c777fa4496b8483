import assert from 'node:assert/strict'
import { after } from 'node:test'
import mqtt from 'mqtt'
import type { MqttConfig } from '../../gateway/config/types.js'
import type { Message, Upstream, UpstreamEvent } from '../../gateway/upstream/upstream.js'
import { UpstreamError } from '../../gateway/upstream/upstream.js'
import { parseTopic, topicOf } from '../../gateway/base/topics.js'
import type { ProbeMessage, UpstreamFixture } from '../contract/upstream.contract.js'
import { observe, type ObservedMessage } from './mqtt-observer.js'
import { startMosquitto } from './mosquitto.js'
import type { Broker, MosquittoOptions } from './mosquitto.js'

/** How long a test waits for something the broker should deliver promptly. */
export const waitMs = 5000
let clients = 0

/** A valid MqttConfig for tests, with a clientId unique to this process. */
export function mqttConfig(servers: string[], version: '3.1.1' | '5', extra: Partial<MqttConfig> = {}): MqttConfig {
  return {
    servers,
    version,
    clientId: `gw-test-${process.pid}-${++clients}`,
    keepaliveMs: 30_000,
    connectTimeoutMs: 3000,
    reconnectMinMs: 100,
    reconnectMaxMs: 1000,
    dataQos: 0,
    replayWindowMs: 45_000,
    ...extra,
  }
}

/** The node these tests connect as: it listens for `spBv1.0/G/NCMD/E` and `spBv1.0/G/DCMD/E/+`. */
export const testNode = { node: { groupId: 'G', edgeNodeId: 'E' }, primaryHostId: null }

/** A will/NDEATH stand-in (`spBv1.0/G/NDEATH/E`), with a readable payload. */
export function deathOf(payload: string): Message {
  return messageTo('spBv1.0/G/NDEATH/E', payload, 'session')
}

/** A message to a Sparkplug topic, spelled as MQTT for readable tests. */
export function messageTo(topic: string, payload: Uint8Array | string, kind: Message['kind'] = 'session'): Message {
  const address = parseTopic(topic)
  if (address === null) throw new Error(`not a Sparkplug topic: ${topic}`)
  return { address, payload: Buffer.from(payload), kind }
}

/** Connects a second client with the same clientId: the broker drops the first without a DISCONNECT. */
export async function takeOver(url: string, clientId: string, version: 4 | 5): Promise<void> {
  const thief = await mqtt.connectAsync(url, { clientId, protocolVersion: version, reconnectPeriod: 0, clean: true })
  await thief.endAsync()
}

/** Takes the upstream's listener and resolves with its next `down` event. */
export function nextDown(upstream: Upstream): Promise<UpstreamEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no down event within ${waitMs} ms`)), waitMs)
    upstream.onEvent((event) => {
      if (event.type !== 'down') return
      clearTimeout(timer)
      resolve(event)
    })
  })
}

/** An assert.rejects validator: an UpstreamError of `kind`, its message matching `text`. */
export function isKind(kind: UpstreamError['kind'], text?: RegExp) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof UpstreamError, `expected UpstreamError, got ${String(err)}`)
    assert.equal(err.kind, kind, err.message)
    if (text) assert.match(err.message, text)
    return true
  }
}

/** Publishes one message from a fresh 3.1.1 client, as a host application would. */
export async function inject(url: string, topic: string, payload: Uint8Array | string, retain = false): Promise<void> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0 })
  await client.publishAsync(topic, Buffer.from(payload), { qos: 1, retain })
  await client.endAsync()
}

/** Starts mosquitto and kills it (SIGKILL) when the test file ends, whatever happened. */
export function brokerPool(): (opts?: MosquittoOptions) => Promise<Broker> {
  const brokers = new Set<Broker>()
  after(async () => {
    for (const b of brokers) await b.stop('SIGKILL')
  })
  return async (opts = {}) => {
    const started = await startMosquitto(opts)
    brokers.add(started)
    return started
  }
}

/** The contract fixture's inject and probe for an MQTT broker at `url`, in Sparkplug addresses. */
export function mqttContractParts(url: string, protocolVersion: 4 | 5 = 5): Pick<UpstreamFixture, 'inject' | 'probe'> {
  return {
    inject: (address, payload, retain) => inject(url, topicOf(address), payload, retain),
    probe: async () => {
      const observer = await observe(url, 'spBv1.0/Contract/#', protocolVersion)
      const asProbe = (m: ObservedMessage): ProbeMessage | null => {
        const address = parseTopic(m.topic)
        return address === null ? null : { address, payload: m.payload }
      }
      return {
        waitFor: async (predicate, timeoutMs) => asProbe(await observer.waitFor((m) => { const p = asProbe(m); return p !== null && predicate(p) }, timeoutMs))!,
        close: () => observer.close(),
      }
    },
  }
}
