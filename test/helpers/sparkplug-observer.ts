import { decodePayload } from '../../gateway/sparkplug/codec.js'
import type { Payload } from '../../gateway/sparkplug/payload.js'
import { parseTopic } from '../../gateway/base/topics.js'
import { observe, type ObservedMessage, type Observer } from './mqtt-observer.js'

/** A Sparkplug message as a host application sees it. */
export interface SparkplugMessage {
  readonly topic: string
  /** NBIRTH, DDATA, ... */
  readonly type: string
  readonly deviceId: string | null
  readonly payload: Payload
  readonly qos: number
  readonly retain: boolean
}

/** An observer of decoded edge-node messages (flush before asserting that something was not published). */
export type SparkplugObserver = Observer<SparkplugMessage>

function decode(m: ObservedMessage): SparkplugMessage | null {
  const topic = parseTopic(m.topic)
  // Commands are the host's messages (and tests send garbage ones on purpose): only the edge's count.
  if (topic === null || topic.type === 'STATE' || topic.type === 'NCMD' || topic.type === 'DCMD') return null
  return { topic: m.topic, type: topic.type, deviceId: topic.deviceId, payload: decodePayload(m.payload), qos: m.qos, retain: m.retain }
}

/** Subscribes to every edge-node message under `spBv1.0/<group>/#` and decodes it. */
export async function observeSparkplug(url: string, groupId = 'Plant1'): Promise<SparkplugObserver> {
  const raw = await observe(url, `spBv1.0/${groupId}/#`)
  const cache = new WeakMap<ObservedMessage, SparkplugMessage | null>()
  const decoded = (m: ObservedMessage) => {
    if (!cache.has(m)) cache.set(m, decode(m))
    return cache.get(m)!
  }
  const lift = (predicate: (m: SparkplugMessage) => boolean) => (m: ObservedMessage) => {
    const d = decoded(m)
    return d !== null && predicate(d)
  }
  return {
    get messages() {
      return raw.messages.map(decoded).filter((m): m is SparkplugMessage => m !== null)
    },
    waitFor: async (predicate, timeoutMs) => decoded(await raw.waitFor(lift(predicate), timeoutMs))!,
    waitForCount: async (predicate, count, timeoutMs) => (await raw.waitForCount(lift(predicate), count, timeoutMs)).map((m) => decoded(m)!),
    flush: (timeoutMs) => raw.flush(timeoutMs),
    close: () => raw.close(),
  }
}

/** The metric of a payload by name, or by the alias a birth gave that name. */
export function metricOf(payload: Payload, name: string, aliases?: ReadonlyMap<string, number>) {
  const alias = aliases?.get(name)
  return payload.metrics.find((m) => m.name === name || (alias !== undefined && m.alias === alias))
}

/** name -> alias from a birth payload. */
export function aliasesOf(birth: Payload): Map<string, number> {
  return new Map(birth.metrics.filter((m) => m.name !== undefined && m.alias !== undefined).map((m) => [m.name!, m.alias!]))
}
