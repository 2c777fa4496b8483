import mqtt from 'mqtt'

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
  const messages: ObservedMessage[] = []
  const waiters = new Set<() => void>()
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload, qos: packet.qos, retain: packet.retain, receivedAt: Date.now() })
    for (const check of waiters) check()
  })
  await client.subscribeAsync(filter, protocolVersion === 5 ? { qos: 1, rap: true } : { qos: 1 })

  const waitForCount = (predicate: (m: ObservedMessage) => boolean, count: number, timeoutMs: number): Promise<ObservedMessage[]> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = messages.filter(predicate)
        if (found.length < count) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve(found.slice(0, count))
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        const topics = messages.map((m) => m.topic).join(', ') || 'none'
        reject(new Error(`expected ${count} matching message(s) within ${timeoutMs} ms, got ${messages.filter(predicate).length}; received: ${topics}`))
      }, timeoutMs)
      waiters.add(check)
      check()
    })

  return {
    messages,
    waitForCount,
    waitFor: async (predicate, timeoutMs) => (await waitForCount(predicate, 1, timeoutMs))[0],
    close: async () => {
      await client.endAsync(true)
    },
  }
}
