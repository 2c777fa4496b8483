import { Collection } from './collection.js'
import mqtt from 'mqtt'
import { decodePayload } from '../../gateway/sparkplug/codec.js'
import { parseTopic } from '../../gateway/base/topics.js'
import type { SparkplugMessage } from './sparkplug-observer.js'

/** A Sparkplug message with the time it reached the subscriber. */
export type ReceivedMessage = SparkplugMessage & { readonly receivedAt: number }

/** A host-like subscriber whose session outlives broker restarts (see `observeDurably`). */
export interface DurableObserver {
  /** Every edge-node message so far, in arrival order. */
  readonly messages: readonly ReceivedMessage[]
  waitFor(predicate: (m: ReceivedMessage) => boolean, timeoutMs: number): Promise<ReceivedMessage>
  waitForCount(predicate: (m: ReceivedMessage) => boolean, count: number, timeoutMs: number): Promise<ReceivedMessage[]>
  close(): Promise<void>
}

/**
 * Subscribes to `spBv1.0/<group>/#` as a persistent MQTT 5 session (clean start off, one hour
 * expiry, fixed client id) and reconnects every 100 ms. With a broker started with
 * `persistence: true`, whatever the gateway publishes after a broker restart is queued for this
 * session until it is back, so the subscriber's own outage loses nothing.
 */
export async function observeDurably(url: string, groupId = 'Plant1'): Promise<DurableObserver> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion: 5,
    clientId: `durable-observer-${process.pid}-${Math.random().toString(16).slice(2, 8)}`,
    clean: false,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 100,
    connectTimeout: 2000,
  })
  const received = new Collection<ReceivedMessage>((all) => `${all.length} message(s) in all`)
  client.on('message', (topic, payload, packet) => {
    const parsed = parseTopic(topic)
    if (parsed === null || parsed.type === 'STATE' || parsed.type === 'NCMD' || parsed.type === 'DCMD') return
    received.push({
      topic, type: parsed.type, deviceId: parsed.deviceId, payload: decodePayload(payload),
      qos: packet.qos, retain: packet.retain, receivedAt: Date.now(),
    })
  })
  // QoS 0: nothing in flight to this subscriber that a SIGKILLed broker's saved session would send again.
  await client.subscribeAsync(`spBv1.0/${groupId}/#`, { qos: 0 })

  return {
    messages: received.items,
    waitForCount: (predicate, count, timeoutMs) => received.waitForCount(predicate, count, timeoutMs),
    waitFor: (predicate, timeoutMs) => received.waitFor(predicate, timeoutMs),
    close: async () => {
      await client.endAsync(true)
    },
  }
}
