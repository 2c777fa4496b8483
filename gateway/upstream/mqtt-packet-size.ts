import { UndeliverableError } from './upstream.js'

/** Bytes of an MQTT 5 PUBLISH packet without properties (what the gateway sends), header included. */
export function publishPacketBytes(topic: string, payloadBytes: number, qos: 0 | 1): number {
  const remaining = 2 + Buffer.byteLength(topic) + (qos > 0 ? 2 : 0) + 1 + payloadBytes
  return 1 + varIntBytes(remaining) + remaining
}

function varIntBytes(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4
}

/**
 * The broker's CONNACK maximum packet size, checked before a publish: mosquitto ends the session of
 * a client that sends more, so the gateway would reconnect, resend and be cut off in a loop.
 */
export function overBrokerLimit(url: string, topic: string, payloadBytes: number, qos: 0 | 1, limit: number | undefined): UndeliverableError | null {
  if (limit === undefined) return null
  const bytes = publishPacketBytes(topic, payloadBytes, qos)
  if (bytes <= limit) return null
  return new UndeliverableError(
    `over the broker's maximum packet size of ${limit} bytes`,
    `MQTT broker ${url} takes packets of at most ${limit} bytes (its CONNACK says so); the publish to ${topic} is ${bytes} bytes: ` +
      "raise the broker's limit (mosquitto: max_packet_size), or make the tag's value smaller",
  )
}
