/**
 * The binary row encoding of a record's metrics in the SQLite outbox. Compact because every byte
 * is written to an SD card: a metric is its (name, type) key id from a dictionary table, one tag
 * byte, its time as a varint delta from the record's `at`, and the smallest exact form of its value.
 * The tag describes the JavaScript value, not the Sparkplug type, so any Value round-trips exactly
 * whatever type it is declared with (strings go through UTF-8, as they do on the wire).
 */
import type { Metric, SparkplugType, Value } from '../model/value.js'

/** Maps a metric's (name, type) to a small integer and back; the outbox keeps it in a table. */
export interface MetricKeys {
  /** The id of (name, type), created when new. */
  idOf(name: string, type: SparkplugType): number
  /** The (name, type) of an id the dictionary holds. */
  keyOf(id: number): { readonly name: string; readonly type: SparkplugType }
}

const enum Tag {
  Null = 0, False = 1, True = 2, Int = 3, F32 = 4, F64 = 5, BigInt = 6, String = 7, Bytes = 8, Array = 9,
}
/** Set on the tag when the metric's `at` is stored as an absolute float64 (not an integer delta). */
const absoluteAt = 0x80
/** Set on the tag of a metric the device marked uncertain. Rows written before it existed never have it. */
const uncertainFlag = 0x40
// Integers up to 2^48 take the varint path; their zigzag form (< 2^49) stays exact in a double.
const maxVarintInt = 2 ** 48

/** A growable output buffer, reused across records to avoid an allocation per add. */
class Writer {
  buf = Buffer.allocUnsafe(4096)
  pos = 0

  room(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  byte(b: number): void {
    this.room(1)
    this.buf[this.pos++] = b
  }

  /** Unsigned varint of a non-negative integer below 2^53. */
  varint(n: number): void {
    this.room(8)
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80
      n = Math.floor(n / 0x80)
    }
    this.buf[this.pos++] = n
  }

  zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1)
  }

  bigZigzag(n: bigint): void {
    let z = n >= 0n ? n << 1n : ((-n) << 1n) - 1n
    this.room(10)
    while (z >= 0x80n) {
      this.buf[this.pos++] = Number(z & 0x7fn) | 0x80
      z >>= 7n
    }
    this.buf[this.pos++] = Number(z)
  }

  string(s: string): void {
    const length = Buffer.byteLength(s)
    this.varint(length)
    this.room(length)
    this.pos += this.buf.write(s, this.pos, 'utf8')
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length)
    this.room(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }
}

class Reader {
  pos = 0
  constructor(readonly buf: Buffer) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('outbox record is truncated')
    return this.buf[this.pos++]
  }

  varint(): number {
    let n = 0
    let scale = 1
    for (;;) {
      const b = this.byte()
      n += (b & 0x7f) * scale
      if (b < 0x80) return n
      scale *= 0x80
    }
  }

  zigzag(): number {
    const z = this.varint()
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2
  }

  bigZigzag(): bigint {
    let z = 0n
    let shift = 0n
    for (;;) {
      const b = this.byte()
      z |= BigInt(b & 0x7f) << shift
      if (b < 0x80) break
      shift += 7n
    }
    return z & 1n ? -((z + 1n) >> 1n) : z >> 1n
  }

  slice(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw new RangeError('outbox record is truncated')
    const out = this.buf.subarray(this.pos, this.pos + n)
    this.pos += n
    return out
  }
}

type Scalar = number | bigint | boolean | string | Uint8Array

function tagOf(v: Value | null): Tag {
  switch (typeof v) {
    case 'boolean': return v ? Tag.True : Tag.False
    case 'string': return Tag.String
    case 'bigint': return Tag.BigInt
    case 'number':
      if (Number.isInteger(v) && Math.abs(v) <= maxVarintInt && !Object.is(v, -0)) return Tag.Int
      // NaN, ±Infinity, -0 and every float32-decoded reading fit 4 bytes exactly.
      return Math.fround(v) === v || v !== v ? Tag.F32 : Tag.F64
    default:
      return v === null ? Tag.Null : Array.isArray(v) ? Tag.Array : Tag.Bytes
  }
}

/** Writes the payload of a value whose tag is already written. */
function writePayload(w: Writer, tag: Tag, v: Value): void {
  switch (tag) {
    case Tag.Int: return w.zigzag(v as number)
    case Tag.F32:
      w.room(4)
      w.pos = w.buf.writeFloatLE(v as number, w.pos)
      return
    case Tag.F64:
      w.room(8)
      w.pos = w.buf.writeDoubleLE(v as number, w.pos)
      return
    case Tag.BigInt: return w.bigZigzag(v as bigint)
    case Tag.String: return w.string(v as string)
    case Tag.Bytes: return w.bytes(v as Uint8Array)
    case Tag.Array: {
      const items = v as readonly Scalar[]
      w.varint(items.length)
      for (const item of items) {
        const itemTag = tagOf(item)
        w.byte(itemTag)
        writePayload(w, itemTag, item)
      }
      return
    }
    default: return
  }
}

function readScalar(r: Reader, tag: number): Scalar {
  switch (tag) {
    case Tag.False: return false
    case Tag.True: return true
    case Tag.Int: return r.zigzag()
    case Tag.F32: return r.slice(4).readFloatLE(0)
    case Tag.F64: return r.slice(8).readDoubleLE(0)
    case Tag.BigInt: return r.bigZigzag()
    case Tag.String: return r.slice(r.varint()).toString('utf8')
    case Tag.Bytes: return new Uint8Array(r.slice(r.varint()))
    default: throw new RangeError(`outbox record has unknown value tag ${tag}`)
  }
}

/** Encodes `metrics` of a record made at `recordAt`. The returned buffer is a fresh copy. */
export function createRecordEncoder(keys: MetricKeys): (recordAt: number, metrics: readonly Metric[]) => Buffer {
  const w = new Writer()
  return (recordAt, metrics) => {
    w.pos = 0
    w.varint(metrics.length)
    for (const m of metrics) {
      w.varint(keys.idOf(m.name, m.type))
      const tag = tagOf(m.value)
      const quality = m.uncertain === true ? uncertainFlag : 0
      const delta = m.at - recordAt
      if (Number.isInteger(delta) && Math.abs(delta) <= maxVarintInt && recordAt + delta === m.at) {
        w.byte(tag | quality)
        w.zigzag(delta)
      } else {
        w.byte(tag | quality | absoluteAt)
        w.room(8)
        w.pos = w.buf.writeDoubleLE(m.at, w.pos)
      }
      if (m.value !== null) writePayload(w, tag, m.value)
    }
    return Buffer.from(w.buf.subarray(0, w.pos))
  }
}

/** Decodes what the encoder wrote for a record made at `recordAt`. */
export function decodeRecordMetrics(blob: Buffer, recordAt: number, keys: MetricKeys): Metric[] {
  const r = new Reader(blob)
  const count = r.varint()
  const metrics: Metric[] = new Array(count)
  for (let i = 0; i < count; i++) {
    const { name, type } = keys.keyOf(r.varint())
    const head = r.byte()
    const tag = head & ~(absoluteAt | uncertainFlag)
    const at = head & absoluteAt ? r.slice(8).readDoubleLE(0) : recordAt + r.zigzag()
    let value: Value | null
    if (tag === Tag.Null) value = null
    else if (tag === Tag.Array) {
      const items = new Array<Scalar>(r.varint())
      for (let j = 0; j < items.length; j++) items[j] = readScalar(r, r.byte())
      value = items as Value
    } else value = readScalar(r, tag)
    metrics[i] = head & uncertainFlag ? { name, type, value, at, uncertain: true } : { name, type, value, at }
  }
  return metrics
}
