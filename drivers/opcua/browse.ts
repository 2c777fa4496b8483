/**
 * Walks a server's address space from a root node and lists its variables as tags: browse names
 * joined by '/' (Sparkplug folders), the node id, the built-in type of the current value, and
 * writable from the user access level. Breadth first, one Browse per level in batches of the
 * server's MaxNodesPerBrowse, bounded by depth and by a node count.
 */
import { AttributeIds, BrowseDirection, type BrowseResult, NodeClass, type ReferenceDescription } from 'node-opcua-client'
import type { Log } from '../../gateway/model/log.js'
import { withPki, type OpcuaDeviceConfig } from './config.js'
import { connect, type OpcuaConnection } from './session.js'
import { type OpcuaTypeName, opcuaTypeNames, sparkplugTypeOf, typeName, typeOfVariant } from './types.js'

export interface BrowseOptions {
  readonly root: string
  readonly depth: number
  /** Objects and variables visited at most; the walk stops there and says so. */
  readonly maxNodes: number
}

export interface BrowsedTag {
  readonly name: string
  readonly nodeId: string
  /** Built-in type name, `Double[]` for arrays; undefined when the server gave no value to tell. */
  readonly type?: string
  readonly writable?: true
}

export interface BrowseReport {
  readonly tags: readonly BrowsedTag[]
  /** Variables left out because Sparkplug has no type for their values (structures, matrices). */
  readonly skipped: number
  /** The walk reached maxNodes before it ended. */
  readonly truncated: boolean
}

const hierarchical = 'ns=0;i=33'
const hasProperty = 'ns=0;i=46'
const currentWrite = 0x02

export async function browseServer(config: OpcuaDeviceConfig, options: BrowseOptions, log: Log): Promise<BrowseReport> {
  const connection = await connect(withPki(config, undefined), log)
  try {
    const variables: { path: string; nodeId: string }[] = []
    const seen = new Set<string>([options.root])
    let level = [{ nodeId: options.root, path: '' }]
    let truncated = false
    for (let depth = 0; depth < options.depth && level.length > 0 && !truncated; depth++) {
      const children = await browseLevel(connection, level.map((n) => n.nodeId))
      const next: typeof level = []
      children.forEach((refs, k) => {
        for (const ref of refs) {
          const nodeId = ref.nodeId.toString()
          if (ref.referenceTypeId.toString() === hasProperty || seen.has(nodeId)) continue
          if (seen.size >= options.maxNodes) {
            truncated = true
            return
          }
          seen.add(nodeId)
          const path = (level[k].path === '' ? '' : `${level[k].path}/`) + printable(ref.browseName.name ?? nodeId)
          if (ref.nodeClass === NodeClass.Variable) variables.push({ path, nodeId })
          else next.push({ nodeId, path })
        }
      })
      level = next
    }
    if (truncated) log.warn('browse stopped at the node limit', { limit: options.maxNodes })
    return { ...(await describe(connection, variables)), truncated }
  } finally {
    await connection.close()
  }
}

async function browseLevel(connection: OpcuaConnection, nodeIds: readonly string[]): Promise<ReferenceDescription[][]> {
  const out: ReferenceDescription[][] = []
  const per = connection.limits.maxNodesPerBrowse
  for (let i = 0; i < nodeIds.length; i += per) {
    const results: BrowseResult[] = await connection.session.browse(nodeIds.slice(i, i + per).map((nodeId) => ({
      nodeId, browseDirection: BrowseDirection.Forward, referenceTypeId: hierarchical, includeSubtypes: true,
      nodeClassMask: NodeClass.Object | NodeClass.Variable, resultMask: 0x3f,
    })))
    for (const result of results) {
      const refs = [...(result.references ?? [])]
      let point = result.continuationPoint
      while (point !== null && point !== undefined && point.length > 0) {
        const more = await connection.session.browseNext(point, false)
        refs.push(...(more.references ?? []))
        point = more.continuationPoint
      }
      out.push(refs)
    }
  }
  return out
}

/** Reads each variable's value (for its concrete type) and user access level, in Read batches. */
async function describe(connection: OpcuaConnection, variables: readonly { path: string; nodeId: string }[]): Promise<Omit<BrowseReport, 'truncated'>> {
  const tags: BrowsedTag[] = []
  const names = new Set<string>()
  let skipped = 0
  const per = Math.max(1, Math.floor(connection.limits.maxNodesPerRead / 2))
  for (let i = 0; i < variables.length; i += per) {
    const batch = variables.slice(i, i + per)
    const values = await connection.session.read(batch.flatMap((v) => [
      { nodeId: v.nodeId, attributeId: AttributeIds.Value }, { nodeId: v.nodeId, attributeId: AttributeIds.UserAccessLevel },
    ]))
    batch.forEach((v, k) => {
      const value = values[2 * k]
      const access = values[2 * k + 1]
      const type = value.statusCode.isGood() ? typeOfVariant(value.value.dataType, value.value.arrayType) : null
      if (value.statusCode.isGood() && (type === null || sparkplugTypeOf(type) === null)) {
        skipped++
        return
      }
      const writable = access.statusCode.isGood() && (Number(access.value.value) & currentWrite) !== 0
      tags.push({ name: unique(v.path, names), nodeId: v.nodeId, ...(type && isBuiltIn(type.base) ? { type: typeName(type) } : {}), ...(writable ? { writable: true } : {}) })
    })
  }
  return { tags, skipped }
}

const isBuiltIn = (name: string): name is OpcuaTypeName => (opcuaTypeNames as readonly string[]).includes(name)

/** Browse names may repeat under one parent and may hold control characters; metric names may not. */
function unique(path: string, names: Set<string>): string {
  let name = path
  for (let n = 2; names.has(name.toLowerCase()); n++) name = `${path} #${n}`
  names.add(name.toLowerCase())
  return name
}

const printable = (text: string): string => text.replace(/[\p{Cc}\u2028\u2029/]/gu, '_')
