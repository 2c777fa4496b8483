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

/** A subscriber that records everything on a filter (as `M`), for asserting what a broker delivered. */
export interface Observer<M = ObservedMessage> {
  /** Every message so far, in arrival order. */
  readonly messages: M[]
  /** The first message (already received or future) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (m: M) => boolean, timeoutMs: number): Promise<M>
  /** Resolves once `count` messages match `predicate`; rejects after `timeoutMs` saying how many came. */
  waitForCount(predicate: (m: M) => boolean, count: number, timeoutMs: number): Promise<M[]>
  /**
   * Resolves once everything the broker routed to this observer before now has arrived: sends a
   * probe through the broker to itself and waits for it. Call before asserting that something
   * was NOT published, so a message still in flight cannot make the check pass.
   */
  flush(timeoutMs?: number): Promise<void>
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
  // Probes stay out of `messages`: they are this observer's own markers, not what was published.
  const probeTopic = `test-probe/${client.options.clientId}`
  const probes = new Collection<string>()
  client.on('message', (topic, payload, packet) => {
    if (topic === probeTopic) probes.push(payload.toString())
    else received.push({ topic, payload, qos: packet.qos, retain: packet.retain, receivedAt: Date.now() })
  })
  await client.subscribeAsync(filter, protocolVersion === 5 ? { qos: 1, rap: true } : { qos: 1 })
  await client.subscribeAsync(probeTopic, { qos: 1 })
  let probeCount = 0

  return {
    messages: received.items,
    waitForCount: (predicate, count, timeoutMs) => received.waitForCount(predicate, count, timeoutMs),
    waitFor: (predicate, timeoutMs) => received.waitFor(predicate, timeoutMs),
    flush: async (timeoutMs = 10_000) => {
      const id = String(++probeCount)
      await client.publishAsync(probeTopic, id, { qos: 1 })
      await probes.waitFor((p) => p === id, timeoutMs)
    },
    close: async () => {
      await client.endAsync(true)
    },
  }
}
