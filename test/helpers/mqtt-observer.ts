import mqtt from 'mqtt'
import { Collection } from './collection.js'

/** One message as the observer received it: raw bytes, the QoS and retain bit as delivered. */
export interface ObservedMessage {
  readonly topic: string
  readonly payload: Buffer
  readonly qos: 0 | 1 | 2
  readonly retain: boolean
  readonly receivedAt: number
}

/** A subscriber that records everything on a filter, for asserting what a broker delivered. */
export interface Observer {
  /** Every message so far, in arrival order. */
  readonly messages: ObservedMessage[]
  /** The first message (already received or future) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (m: ObservedMessage) => boolean, timeoutMs: number): Promise<ObservedMessage>
  /** Resolves once `count` messages match `predicate`; rejects after `timeoutMs` saying how many came. */
  waitForCount(predicate: (m: ObservedMessage) => boolean, count: number, timeoutMs: number): Promise<ObservedMessage[]>
  close(): Promise<void>
}

/**
 * Subscribes to `filter` at QoS 1 over MQTT 5 with retain-as-published, so `retain` shows the
 * flag the publisher set rather than being cleared on live delivery. `protocolVersion` 4 is for
 * brokers without MQTT 5 (aedes); there a live message always shows retain false.
 */
export async function observe(url: string, filter = 'spBv1.0/#', protocolVersion: 4 | 5 = 5): Promise<Observer> {
  const client = await mqtt.connectAsync(url, { protocolVersion, reconnectPeriod: 0, clean: true, connectTimeout: 5000 })
  const received = new Collection<ObservedMessage>((all) => `received: ${all.map((m) => m.topic).join(', ') || 'none'}`)
  client.on('message', (topic, payload, packet) => {
    received.push({ topic, payload, qos: packet.qos, retain: packet.retain, receivedAt: Date.now() })
  })
  await client.subscribeAsync(filter, protocolVersion === 5 ? { qos: 1, rap: true } : { qos: 1 })

  return {
    messages: received.items,
    waitForCount: (predicate, count, timeoutMs) => received.waitForCount(predicate, count, timeoutMs),
    waitFor: (predicate, timeoutMs) => received.waitFor(predicate, timeoutMs),
    close: async () => {
      await client.endAsync(true)
    },
  }
}
