/**
 * Self size of a V8 .heapsnapshot grouped by where each node hangs: its own label (an object by its
 * property names, `{name,type,value}`; others by kind) and the path of edges from the nearest
 * named instance (a class such as NodeState or DeviceLoop) that retains it first, map slots and
 * array indices written `#`. Tells which structure a plain array, string or property array
 * belongs to, which grouping by constructor cannot. First retainer only: a node held from two
 * places counts under the one the snapshot lists first.
 */
import { readFileSync } from 'node:fs'
import type { HeapGroup } from './heap-summary.js'

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[], ...unknown[]]; readonly edge_fields: string[]; readonly edge_types: [string[], ...unknown[]] } }
  readonly nodes: number[]
  readonly edges: number[]
  readonly strings: string[]
}

const PATH_STEPS = 10
const generic = new Set(['Object', 'Array', 'Map', 'Set'])

export function heapByOwner(path: string): HeapGroup[] {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as Snapshot
  const { node_fields: nf, node_types: [nodeTypes], edge_fields: ef, edge_types: [edgeTypes] } = snap.snapshot.meta
  const [nType, nName, nSize, nEdges] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f)) as [number, number, number, number]
  const [eType, eName, eTo] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f)) as [number, number, number]
  const count = snap.nodes.length / nf.length
  const firstEdge = new Int32Array(count + 1)
  for (let i = 0; i < count; i++) firstEdge[i + 1] = firstEdge[i]! + snap.nodes[i * nf.length + nEdges]! * ef.length
  const parent = new Int32Array(count).fill(-1)
  const via: string[] = new Array<string>(count)
  for (let i = 0; i < count; i++) {
    if (nodeTypes[snap.nodes[i * nf.length + nType]!] === 'synthetic') continue
    for (let e = firstEdge[i]!; e < firstEdge[i + 1]!; e += ef.length) {
      const kind = edgeTypes[snap.edges[e + eType]!]
      const to = snap.edges[e + eTo]! / nf.length
      if (kind === 'weak' || kind === 'shortcut' || parent[to] !== -1) continue
      parent[to] = i
      via[to] = kind === 'element' || kind === 'hidden' ? '#' : String(snap.strings[snap.edges[e + eName]!])
    }
  }
  const type = (i: number) => nodeTypes[snap.nodes[i * nf.length + nType]!]!
  const name = (i: number) => snap.strings[snap.nodes[i * nf.length + nName]!]!
  const propertyNames = (i: number): string => {
    const names: string[] = []
    for (let e = firstEdge[i]!; e < firstEdge[i + 1]! && names.length < 7; e += ef.length) {
      const edgeName = snap.strings[snap.edges[e + eName]!]!
      if (edgeTypes[snap.edges[e + eType]!] === 'property' && edgeName !== '__proto__' && edgeName !== 'map') names.push(edgeName)
    }
    return names.join(',')
  }
  const label = (i: number): string => {
    const t = type(i)
    if (t === 'object') return name(i) === 'Object' ? `{${propertyNames(i)}}` : name(i)
    if (t === 'closure') return `${name(i)}()`
    return t.endsWith('string') ? '(string)' : `(${t}${t === 'hidden' || t === 'array' || t === 'code' ? `:${name(i).slice(0, 30)}` : ''})`
  }
  const groups = new Map<string, { count: number; bytes: number }>()
  for (let i = 0; i < count; i++) {
    const steps: string[] = []
    let p = i
    for (let d = 0; d < PATH_STEPS && parent[p] !== -1; d++) {
      steps.push(/^\d+$/.test(via[p]!) ? '#' : via[p]!)
      p = parent[p]!
      if (type(p) === 'object' && !generic.has(name(p)) && !name(p).startsWith('system')) break
    }
    const key = `${label(i)} @ ${label(p)}.${steps.reverse().join('.')}`
    const g = groups.get(key) ?? { count: 0, bytes: 0 }
    g.count++
    g.bytes += snap.nodes[i * nf.length + nSize]!
    groups.set(key, g)
  }
  return [...groups].map(([key, g]) => ({ name: key, ...g }))
}
