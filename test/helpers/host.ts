import mqtt from 'mqtt'
import { encodePayload } from '../../gateway/sparkplug/codec.js'
import type { PayloadMetric } from '../../gateway/sparkplug/payload.js'

/** A stand-in Sparkplug host application: publishes STATE and commands like SCADA would. */
export interface TestHost {
  state(online: boolean, timestamp: number, hostId?: string): Promise<void>
  command(topic: string, metrics: PayloadMetric[]): Promise<void>
  raw(topic: string, bytes: Uint8Array): Promise<void>
  close(): Promise<void>
}

export async function connectHost(url: string, hostId = 'SCADA-1'): Promise<TestHost> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, clean: true })
  return {
    // STATE is retained QoS 1 JSON (Sparkplug 3.0 host-topic-phid-*).
    state: async (online, timestamp, id = hostId) => {
      await client.publishAsync(`spBv1.0/STATE/${id}`, JSON.stringify({ online, timestamp }), { qos: 1, retain: true })
    },
    command: async (topic, metrics) => {
      await client.publishAsync(topic, Buffer.from(encodePayload({ timestamp: Date.now(), metrics }, { uint32Field: 'long_value' })), { qos: 1 })
    },
    raw: async (topic, bytes) => {
      await client.publishAsync(topic, Buffer.from(bytes), { qos: 1 })
    },
    close: () => client.endAsync(),
  }
}
