import type { Value } from '../model/value.js'
import type { NodeView } from '../node/node-state.js'

/** Rows one answer of /status/tags holds at most: a page shows a screenful, not 10,000 tags. */
export const MAX_TAG_ROWS = 200

export interface TagRow {
  readonly name: string
  readonly type: string
  /** As text: 64-bit integers exactly, bytes as a length, arrays joined; null when not read. */
  readonly value: string | null
  readonly quality: 'good' | 'uncertain' | 'bad'
  readonly units: string | null
  readonly at: number | null
}

export interface TagPage {
  readonly device: string
  /** Tags matching the filter; `tags` holds the first `limit` of them. */
  readonly matching: number
  readonly tags: readonly TagRow[]
}

const text = (value: Value): string => {
  if (value instanceof Uint8Array) return `${value.length} bytes`
  if (Array.isArray(value)) return `[${value.map(String).join(', ')}]`
  return String(value)
}

/**
 * The last recorded value of a device's tags, read from the node state (what the next birth
 * carries): the same values the upstream gets, no second computation. Null for an unknown device.
 */
export function tagPage(node: NodeView, device: string, filter: string, limit: number): TagPage | null {
  const declared = node.declared(device)
  if (declared === undefined) return null
  const needle = filter.toLowerCase()
  const tags: TagRow[] = []
  let matching = 0
  for (const [name, metric] of declared) {
    if (needle !== '' && !name.toLowerCase().includes(needle)) continue
    matching++
    if (tags.length >= limit) continue
    const last = node.lastMetric(device, name)
    const value = last?.value ?? null
    const quality = value === null ? 'bad' : last?.uncertain ? 'uncertain' : 'good'
    tags.push({ name, type: metric.type, value: value === null ? null : text(value), quality, units: metric.tag?.units ?? null, at: last?.at ?? null })
  }
  return { device, matching, tags }
}
