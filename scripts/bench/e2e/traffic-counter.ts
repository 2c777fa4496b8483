/**
 * A subscriber that counts what an edge node delivers without decoding every payload: at 100,000
 * metrics/s a full decode in the benchmark process would compete with the gateway for the same
 * two cores. It walks the protobuf wire format of each DATA payload instead (metrics are field 2
 * of the Payload message), and checks that walk against the real decoder on the first payloads.
 * The same counter listens to mosquitto (mqtt://) or to a nats-server (nats://, a core
 * subscription: it sees every message the server accepted, whether a stream stores it or not).
 */
import mqtt from 'mqtt'
import { connect as connectNats } from 'nats'
import { decodePayload } from '../../../gateway/sparkplug/codec.js'

/** Running totals since the subscriber connected. */
export interface TrafficTotals {
  /** DDATA and NDATA messages. */
  readonly dataMessages: number
  /** Metrics carried by those messages. */
  readonly metrics: number
  /** Payload bytes of those messages. */
  readonly bytes: number
}

export interface TrafficCounter {
  /** A copy of the totals so far. */
  totals(): TrafficTotals
  /** Resolves with performance.now() at the arrival of the next NBIRTH; rejects after `timeoutMs`. */
  nextBirth(timeoutMs: number): Promise<number>
  /** Resolves with performance.now() once `count` DBIRTHs have arrived after the last NBIRTH. */
  deviceBirths(count: number, timeoutMs: number): Promise<number>
  /** Milliseconds from the first metric's read time to arrival, for DATA received since the last call. */
  takeLags(): number[]
  /** Throws when the wire walk and the decoder disagreed on a payload. */
  check(): void
  /** Disconnects the subscriber. */
  close(): Promise<void>
}

// Payloads whose wire-walk count is checked against a full decode.
const CHECKED_PAYLOADS = 50

/** Metrics of a DATA payload, found by walking its protobuf fields. */
export interface Walk {
  readonly metrics: number
  /** Timestamp of the first metric (ms since epoch), or null when it has none. */
  readonly firstAt: number | null
}

function varint(buf: Uint8Array, at: number): [number, number] {
  let value = 0
  let scale = 1
  for (;;) {
    const byte = buf[at++]!
    value += (byte & 0x7f) * scale
    if (byte < 0x80) return [value, at]
    scale *= 128
  }
}

/** Calls `field` for each top-level field of a message; returns nothing, throws on truncation. */
function fields(buf: Uint8Array, start: number, end: number, field: (no: number, at: number, length: number) => void): void {
  let at = start
  while (at < end) {
    const [key, next] = varint(buf, at)
    at = next
    const wire = key & 7
    if (wire === 0) {
      field(key >>> 3, at, 0)
      at = varint(buf, at)[1]
    } else if (wire === 1) at += 8
    else if (wire === 5) at += 4
    else if (wire === 2) {
      const [length, body] = varint(buf, at)
      field(key >>> 3, body, length)
      at = body + length
    } else throw new Error(`wire type ${wire} at byte ${at}`)
  }
  if (at !== end) throw new Error('payload ends inside a field')
}

export function walk(buf: Uint8Array): Walk {
  let metrics = 0
  let firstAt: number | null = null
  fields(buf, 0, buf.length, (no, at, length) => {
    if (no !== 2) return
    if (metrics++ === 0) {
      fields(buf, at, at + length, (inner, innerAt) => {
        if (inner === 3) firstAt = varint(buf, innerAt)[0]
      })
    }
  })
  return { metrics, firstAt }
}

/** Message type and payload of each Sparkplug message of the group, as the broker delivers them. */
type Listener = (type: string | undefined, payload: Uint8Array, where: string) => void

/** Subscribes to every message of `groupId`; resolves once subscribed, with the way to disconnect. */
async function subscribe(url: string, groupId: string, listen: Listener): Promise<() => Promise<void>> {
  if (url.startsWith('nats://')) {
    const nc = await connectNats({ servers: url, reconnect: false, name: 'bench-counter' })
    // spBv1.0/G/DDATA/E/D is the subject spBv1//0.G.DDATA.E.D: the type is the third token.
    nc.subscribe(`spBv1//0.${groupId}.>`, { callback: (_err, msg) => listen(msg.subject.split('.')[2], msg.data, msg.subject) })
    await nc.flush()
    return () => nc.close()
  }
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, clean: true })
  client.on('message', (topic, payload) => listen(topic.split('/')[2], payload, topic))
  await client.subscribeAsync(`spBv1.0/${groupId}/#`, { qos: 0 })
  return () => client.endAsync(true)
}

/** Counts the group's traffic on mosquitto (`mqtt://…`, QoS 0) or nats-server (`nats://…`). */
export async function countTraffic(url: string, groupId: string): Promise<TrafficCounter> {
  const totals = { dataMessages: 0, metrics: 0, bytes: 0 }
  let lags: number[] = []
  let checked = 0
  let dbirths = 0
  const waiters = new Set<() => void>()
  let lastBirthAt = -1
  let problem: string | null = null

  const close = await subscribe(url, groupId, (type, payload, where) => {
    if (type === 'NBIRTH') {
      lastBirthAt = performance.now()
      dbirths = 0
    } else if (type === 'DBIRTH') dbirths++
    else if (type === 'DDATA' || type === 'NDATA') {
      const { metrics, firstAt } = walk(payload)
      if (checked < CHECKED_PAYLOADS) {
        checked++
        const decoded = decodePayload(payload).metrics.length
        if (decoded !== metrics) problem ??= `wire walk counted ${metrics} metrics, the decoder ${decoded} (${where})`
      }
      totals.dataMessages++
      totals.metrics += metrics
      totals.bytes += payload.length
      if (firstAt !== null) lags.push(Date.now() - firstAt)
    }
    for (const w of waiters) w()
  })

  const until = <T>(what: string, done: () => T | undefined, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = done()
        if (value === undefined) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve(value)
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`no ${what} within ${timeoutMs} ms`))
      }, timeoutMs)
      waiters.add(check)
      check()
    })

  return {
    totals: () => ({ ...totals }),
    nextBirth(timeoutMs) {
      const before = lastBirthAt
      return until('NBIRTH', () => (lastBirthAt !== before ? lastBirthAt : undefined), timeoutMs)
    },
    deviceBirths: (count, timeoutMs) => until(`${count} DBIRTHs`, () => (dbirths >= count ? performance.now() : undefined), timeoutMs),
    takeLags() {
      const taken = lags
      lags = []
      return taken
    },
    check() {
      if (problem !== null) throw new Error(problem)
    },
    close,
  }
}
