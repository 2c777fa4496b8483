/**
 * Renders one received message for `monitor`: a readable block (header line, then one line per
 * metric) or one JSON object per line (bigint as a decimal string, bytes as hex).
 * STATE topics carry JSON, not protobuf, and are shown as such.
 */
import type { DataSet, Payload, PayloadMetric, PropertySet, PropertyValue, Template } from '../sparkplug/payload.js'

export interface FormatOptions {
  /** One JSON object per message instead of the readable block. */
  readonly json: boolean
  /** The bytes as received: shown for STATE topics, counted when `payload` is null. */
  readonly bytes?: Uint8Array
  /** Why the bytes are not a Sparkplug B payload; used when `payload` is null on a non-STATE topic. */
  readonly error?: string
  /** The MQTT retain flag of the message. */
  readonly retain?: boolean
}

/** True for `spBv1.0/STATE/<host_id>`, whose payload is JSON text. */
export function isStateTopic(topic: string): boolean {
  return topic.startsWith('spBv1.0/STATE/')
}

const MAX_ITEMS = 20
const MAX_BYTES = 32
const utf8 = new TextDecoder()

/** The message as text without a trailing newline. */
export function formatMessage(topic: string, payload: Payload | null, opts: FormatOptions): string {
  const size = opts.bytes?.length ?? 0
  if (payload === null && opts.bytes && isStateTopic(topic)) return formatState(topic, opts.bytes, opts)
  if (opts.json) {
    const body = payload === null ? { error: opts.error ?? 'not a Sparkplug B payload', bytes: size } : { payload }
    return JSON.stringify({ topic, ...(opts.retain ? { retain: true } : {}), ...body }, jsonReplacer)
  }
  const retained = opts.retain ? '  (retained)' : ''
  if (payload === null) return `${topic}${retained}  not a Sparkplug B payload (${size} bytes): ${opts.error ?? 'no payload'}`
  const header = [topic + retained]
  if (payload.seq !== undefined) header.push(`seq=${payload.seq}`)
  if (payload.timestamp !== undefined) header.push(isoTime(payload.timestamp))
  const bdSeq = payload.metrics.find((m) => m.name === 'bdSeq')
  if (bdSeq?.value !== undefined) header.push(`bdSeq=${String(bdSeq.value)}`)
  if (payload.uuid !== undefined) header.push(`uuid=${payload.uuid}`)
  if (payload.body !== undefined) header.push(`body=${hex(payload.body)}`)
  const lines = [header.join('  ')]
  for (const m of payload.metrics) formatMetric(m, payload.timestamp, '  ', lines)
  return lines.join('\n')
}

function formatState(topic: string, bytes: Uint8Array, opts: FormatOptions): string {
  const text = utf8.decode(bytes)
  let state: unknown
  try {
    state = JSON.parse(text)
  } catch {
    state = undefined
  }
  if (opts.json) {
    const body = state === undefined ? { text } : { state }
    return JSON.stringify({ topic, ...(opts.retain ? { retain: true } : {}), ...body })
  }
  const retained = opts.retain ? '  (retained)' : ''
  if (state === null || typeof state !== 'object') return `${topic}${retained}  STATE (not JSON) ${JSON.stringify(text)}`
  const { online, timestamp } = state as { online?: unknown; timestamp?: unknown }
  const when = typeof timestamp === 'number' ? isoTime(timestamp) : `timestamp=${JSON.stringify(timestamp)}`
  return `${topic}${retained}  STATE online=${JSON.stringify(online)}  ${when}`
}

function formatMetric(m: PayloadMetric, payloadTime: number | undefined, indent: string, lines: string[]): void {
  let line = indent + (m.name ?? '')
  if (m.alias !== undefined) line += m.name === undefined ? `(${m.alias})` : ` (${m.alias})`
  if (m.datatype !== undefined) line += ` ${m.datatype}`
  line += ` = ${m.isNull ? 'null' : m.value === undefined ? '(no value)' : formatValue(m.value, m.datatype)}`
  if (m.timestamp !== undefined && m.timestamp !== payloadTime) line += ` @${isoTime(m.timestamp)}`
  if (m.isHistorical) line += ' [historical]'
  if (m.isTransient) line += ' [transient]'
  if (m.properties !== undefined && Object.keys(m.properties).length > 0) line += ` ${formatProperties(m.properties)}`
  lines.push(line)
  const inner = indent + '    '
  if (m.datatype === 'Template' && isTemplate(m.value)) {
    for (const p of m.value.parameters) {
      lines.push(`${inner}parameter ${p.name} ${p.type} = ${p.value === undefined ? '(no value)' : formatValue(p.value, p.type)}`)
    }
    for (const member of m.value.metrics) formatMetric(member, payloadTime, inner, lines)
  } else if (m.datatype === 'DataSet' && isDataSet(m.value)) {
    const ds = m.value
    lines.push(inner + ds.columns.map((c, i) => `${c}:${ds.types[i]}`).join(' | '))
    for (const row of ds.rows) lines.push(inner + row.map((cell, i) => formatValue(cell, ds.types[i])).join(' | '))
  }
}

function isTemplate(v: unknown): v is Template {
  return typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'Template'
}

function isDataSet(v: unknown): v is DataSet {
  return typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'DataSet'
}

function formatValue(v: unknown, type: string | undefined): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'bigint') return type === 'DateTime' ? `${v} (${isoTime(Number(v))})` : String(v)
  if (v instanceof Uint8Array) return `${v.length} bytes ${hex(v)}`
  if (Array.isArray(v)) {
    const shown = v.slice(0, MAX_ITEMS).map((x) => formatValue(x, type === 'DateTimeArray' ? 'DateTime' : undefined))
    const more = v.length > MAX_ITEMS ? `, … ${v.length - MAX_ITEMS} more` : ''
    return `[${shown.join(', ')}${more}]`
  }
  if (isTemplate(v)) {
    const what = v.isDefinition ? 'definition' : `instance of ${v.templateRef ?? '?'}`
    return `${what}${v.version !== undefined ? ` ${v.version}` : ''} (${v.metrics.length} members)`
  }
  if (isDataSet(v)) return `${v.rows.length} rows × ${v.columns.length} columns`
  return String(v)
}

function formatProperties(set: PropertySet): string {
  return `{${Object.entries(set).map(([k, p]) => `${k}=${formatProperty(p)}`).join(', ')}}`
}

function formatProperty(p: PropertyValue): string {
  if (p.isNull || p.value === undefined) return 'null'
  if (p.type === 'PropertySet') return formatProperties(p.value as PropertySet)
  if (p.type === 'PropertySetList') return `[${(p.value as PropertySet[]).map(formatProperties).join(', ')}]`
  return formatValue(p.value, p.type)
}

function isoTime(ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? `${ms}ms` : d.toISOString()
}

function hex(bytes: Uint8Array): string {
  const shown = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, MAX_BYTES)).toString('hex')
  return bytes.length > MAX_BYTES ? `${shown}…` : shown
}

/** JSON.stringify replacer: bigint as a decimal string, bytes as hex. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex')
  return value
}
