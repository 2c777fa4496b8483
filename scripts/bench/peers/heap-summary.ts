/** Self size of a V8 .heapsnapshot summed by constructor (objects) or by kind (strings, code, ...). */
import { readFileSync } from 'node:fs'

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]] } }
  readonly nodes: number[]
  readonly strings: string[]
}

export interface HeapGroup {
  readonly name: string
  readonly count: number
  readonly bytes: number
}

export function summariseHeap(path: string, top: number): { total: number; groups: HeapGroup[] } {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot
  const fields = snap.snapshot.meta.node_fields
  const types = snap.snapshot.meta.node_types[0]
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number]
  const groups = new Map<string, { count: number; bytes: number }>()
  let total = 0
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]!]!
    const size = snap.nodes[i + sizeAt]!
    const name = type === 'object' || type === 'closure' ? `${snap.strings[snap.nodes[i + nameAt]!]}${type === 'closure' ? ' (closure)' : ''}` : `(${type})`
    const g = groups.get(name) ?? { count: 0, bytes: 0 }
    g.count++
    g.bytes += size
    groups.set(name, g)
    total += size
  }
  const sorted = [...groups].map(([name, g]) => ({ name, ...g })).sort((a, b) => b.bytes - a.bytes)
  return { total, groups: sorted.slice(0, top) }
}
