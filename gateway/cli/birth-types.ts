import { valueAs } from '../sparkplug/codec-metric.js'
import type { DataTypeName, Payload } from '../sparkplug/payload.js'
import { parseTopic } from '../base/topics.js'

/**
 * Remembers the datatype of every alias from each node's births. DATA metrics carry no datatype,
 * and a negative Int8/16/32 travels as its 32-bit two's complement: without the birth's type a
 * viewer would show Int16 -1 as 4294967295.
 */
export class BirthTypes {
  // Aliases are unique across a node and its devices, so one map per edge node.
  private readonly nodes = new Map<string, Map<number, DataTypeName>>()

  /** Learns from births; gives DATA and command metrics the datatype their alias was born with. */
  apply(topic: string, payload: Payload): void {
    const parsed = parseTopic(topic)
    if (parsed === null || parsed.type === 'STATE') return
    const key = `${parsed.groupId}/${parsed.edgeNodeId}`
    if (parsed.type === 'NBIRTH') this.nodes.set(key, new Map())
    const types = this.nodes.get(key)
    if (types === undefined) return
    for (const metric of payload.metrics) {
      if (metric.alias === undefined) continue
      if (parsed.type === 'NBIRTH' || parsed.type === 'DBIRTH') {
        if (metric.datatype !== undefined) types.set(metric.alias, metric.datatype)
        continue
      }
      const type = types.get(metric.alias)
      if (metric.datatype !== undefined || type === undefined) continue
      const value = valueAs(metric, type)
      metric.datatype = type
      if (value !== undefined) metric.value = value
    }
  }
}
