import type { NatsConnection } from 'nats'
import { decodePayload } from '../../gateway/sparkplug/codec.js'
import { parseTopic } from '../../gateway/base/topics.js'
import { topicOf } from '../../gateway/base/nats-subjects.js'
import type { ReceivedMessage } from './durable-observer.js'

/** A message as a JetStream stream stored it: decoded, with its Nats-Msg-Id when it had one. */
export type StoredMessage = ReceivedMessage & { readonly msgId: string | null; readonly seq: number }

/** Every message `stream` holds, in stream order, decoded as a host would see it. */
export async function readStream(nc: NatsConnection, stream: string): Promise<StoredMessage[]> {
  const jsm = await nc.jetstreamManager()
  const { state } = await jsm.streams.info(stream)
  const out: StoredMessage[] = []
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const stored = await jsm.streams.getMessage(stream, { seq })
    const topic = topicOf(stored.subject)
    const address = parseTopic(topic)
    if (address === null || address.type === 'STATE') continue
    out.push({
      topic,
      type: address.type,
      deviceId: address.deviceId,
      payload: decodePayload(stored.data),
      qos: 1,
      retain: false,
      receivedAt: stored.time.getTime(),
      msgId: stored.header.get('Nats-Msg-Id') || null,
      seq,
    })
  }
  return out
}

/** How many messages `stream` holds now. */
export async function streamCount(nc: NatsConnection, stream: string): Promise<number> {
  const jsm = await nc.jetstreamManager()
  return (await jsm.streams.info(stream)).state.messages
}
