/**
 * How large an OPC UA value is, from the lengths of what node-opcua decoded (no copy, no
 * conversion): a 10 MB string or a million-element array is refused here, before the gateway
 * turns it into metrics, records and payloads it could not hold in its heap.
 */
import type { OpcuaType } from './types.js'

export interface SizeLimits {
  readonly maxStringBytes: number
  readonly maxArrayLength: number
}

export type Measured = { readonly bytes: number } | { readonly problem: string }

const elementBytes: Readonly<Record<string, number>> = {
  Boolean: 1, SByte: 1, Byte: 1, Int16: 2, UInt16: 2, Int32: 4, UInt32: 4, Float: 4, StatusCode: 4,
  Int64: 8, UInt64: 8, Double: 8, DateTime: 8, Guid: 36,
}
// Every notification of a fixed-size scalar is measured: one shared answer per type, no allocation.
const fixedScalar: Readonly<Record<string, Measured>> = Object.fromEntries(Object.entries(elementBytes).map(([type, bytes]) => [type, { bytes }]))

/** Bytes `raw` (a decoded Variant value of type `t`) takes as text or numbers, or why it is over a limit. */
export function measure(raw: unknown, t: OpcuaType, limits: SizeLimits): Measured {
  if (!t.array) return one(raw, t, limits)
  const length = (raw as ArrayLike<unknown> | null)?.length ?? 0
  if (length > limits.maxArrayLength) return { problem: `an array of ${length} elements is longer than maxArrayLength ${limits.maxArrayLength}` }
  const fixed = elementBytes[t.base]
  if (fixed !== undefined) return { bytes: length * fixed }
  let bytes = 0
  for (let i = 0; i < length; i++) {
    const m = one((raw as ArrayLike<unknown>)[i], t, limits)
    if ('problem' in m) return { problem: `element ${i}: ${m.problem}` }
    bytes += m.bytes
  }
  return { bytes }
}

function one(raw: unknown, t: OpcuaType, limits: SizeLimits): Measured {
  const fixed = fixedScalar[t.base]
  if (fixed !== undefined) return fixed
  const bytes = byteLength(raw)
  if (bytes > limits.maxStringBytes) return { problem: `${bytes} bytes are more than maxStringBytes ${limits.maxStringBytes}` }
  return { bytes }
}

/** UTF-8 length of a string-like value (String, XmlElement, LocalizedText, QualifiedName, NodeId), or a ByteString's. */
function byteLength(raw: unknown): number {
  if (raw === null || raw === undefined) return 0
  if (typeof raw === 'string') return Buffer.byteLength(raw)
  if (raw instanceof Uint8Array) return raw.byteLength
  const o = raw as { text?: unknown; name?: unknown }
  if (typeof o.text === 'string') return Buffer.byteLength(o.text)
  if (typeof o.name === 'string') return Buffer.byteLength(o.name)
  return Buffer.byteLength(String(raw))
}
