/**
 * Sparkplug B payloads to protobuf bytes and back (the Sparkplug B protobuf schema), with proto2 presence
 * kept: a field set in the Payload is on the wire even when it is 0 or false, an absent one is not.
 */
import { PayloadError, withContext } from './codec-error.js'
import { decodeMetrics, encodeMetrics } from './codec-metric.js'
import { has, u64ToNumber, wirePayload, type WirePayload, type WireU64 } from './codec-wire.js'
import type { CodecOptions, Payload } from './payload.js'

export { PayloadError } from './codec-error.js'

/**
 * Encodes `payload`. Throws PayloadError naming the metric when a value does not fit its
 * datatype (an Int8 of 300, a string for a Boolean, a metric value without a datatype).
 */
export function encodePayload(payload: Payload, options: CodecOptions): Uint8Array {
  const w: WirePayload = { metrics: encodeMetrics(payload.metrics, options.uint32Field === 'long_value') }
  if (payload.timestamp !== undefined) w.timestamp = payload.timestamp
  if (payload.seq !== undefined) w.seq = payload.seq
  if (payload.uuid !== undefined) w.uuid = payload.uuid
  if (payload.body !== undefined) w.body = payload.body
  try {
    return wirePayload.encode(w).finish()
  } catch (error) {
    throw withContext('cannot encode payload', error)
  }
}

/**
 * Decodes Sparkplug B protobuf bytes. Throws PayloadError, and nothing else, when the bytes are
 * not protobuf or a metric's value does not match its datatype.
 */
export function decodePayload(bytes: Uint8Array): Payload {
  let w: WirePayload
  try {
    w = wirePayload.decode(bytes)
  } catch (error) {
    throw withContext(`not a Sparkplug B payload (${bytes.length} bytes)`, error)
  }
  try {
    const payload: Payload = { metrics: decodeMetrics(w.metrics) }
    if (has(w, 'timestamp')) payload.timestamp = u64ToNumber(w.timestamp as WireU64)
    if (has(w, 'seq')) payload.seq = u64ToNumber(w.seq as WireU64)
    if (has(w, 'uuid')) payload.uuid = w.uuid
    if (has(w, 'body')) payload.body = new Uint8Array(w.body as Uint8Array)
    return payload
  } catch (error) {
    if (error instanceof PayloadError) throw error
    throw withContext('malformed Sparkplug B payload', error)
  }
}
