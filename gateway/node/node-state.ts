import type { DataRecord, Metric, SparkplugType, Value } from '../model/value.js'
import type { InstanceConfig, TemplateTypeConfig } from '../config/types.js'
import type { TagDef } from '../normalise/tag-def.js'
import type { NodeMetricDef } from './node-metrics.js'

/** One metric the node or a device declares in its birth. */
export interface Declared {
  readonly name: string
  readonly type: SparkplugType
  /** Absent for bdSeq and Node Control/* (tck-id operational-behavior-data-commands-rebirth-name-aliases). */
  readonly alias?: number
  readonly writable: boolean
  readonly tag?: TagDef
}

export interface DeviceDef {
  readonly deviceId: string
  /** Members of template instances among them carry `instance` and `member`, and no alias of their own. */
  readonly tags: readonly TagDef[]
  readonly instances?: readonly InstanceConfig[]
  /** The types the instances use, nested ones included. */
  readonly templates?: readonly TemplateTypeConfig[]
}

/** A template instance a device declares in its birth: one metric, with the alias its DATA goes by. */
export interface DeclaredInstance {
  readonly name: string
  readonly alias: number
  readonly config: InstanceConfig
  readonly type: TemplateTypeConfig
  /** Its member tags by member path (`Speed`, `Motor/Current`). */
  readonly members: ReadonlyMap<string, Declared>
}

/** What delivery, commands and the payloads read of the node's state; only the recorder writes it. */
export interface NodeView {
  readonly deviceIds: string[]
  isOnline(deviceId: string): boolean
  onlineDevices(): string[]
  /** The metrics the births of the node (null) or a device declare, by name, in birth order; undefined for an unknown device. */
  declared(deviceId: string | null): ReadonlyMap<string, Declared> | undefined
  lookup(deviceId: string | null, nameOrAlias: string | number): Declared | undefined
  /** The device's template instances, by name, in file order. */
  instances(deviceId: string): ReadonlyMap<string, DeclaredInstance>
  lookupInstance(deviceId: string, nameOrAlias: string | number): DeclaredInstance | undefined
  /** Every type the devices' instances use, by name (sorted): the definitions NBIRTH carries. */
  templates(): ReadonlyMap<string, TemplateTypeConfig>
  /** Whether the current births declare any metric of `record`. */
  declaresAny(record: DataRecord): boolean
  /** The last value recorded for a metric, as the next birth carries it. */
  lastMetric(deviceId: string | null, name: string): Metric | undefined
  lastValue(deviceId: string | null, name: string): Value | null | undefined
}

/**
 * The edge node's state, without I/O: the metrics the node and each device declare (names,
 * types, aliases), their last values (what the next births carry), and which devices are online.
 * Aliases are unique across the node and all its devices (tck-id payloads-alias-uniqueness) and
 * never reused, so a host never joins two metrics' histories.
 */
export class NodeState implements NodeView {
  private readonly byName = new Map<string | null, Map<string, Declared>>()
  /** Per device (the node: null), its metrics by alias. */
  private readonly byAlias = new Map<string | null, Map<number, Declared>>()
  private readonly values = new Map<string | null, Map<string, Metric>>()
  private readonly online = new Set<string>()
  private readonly instanceDefs = new Map<string, Map<string, DeclaredInstance>>()
  private readonly templateDefs = new Map<string, readonly TemplateTypeConfig[]>()
  private readonly instanceAliases = new Map<number, { deviceId: string; instance: DeclaredInstance }>()
  private nextAlias = 1

  constructor(nodeMetrics: readonly NodeMetricDef[], devices: readonly DeviceDef[], now = Date.now()) {
    this.byName.set(null, new Map())
    this.byAlias.set(null, new Map())
    this.values.set(null, new Map())
    for (const def of nodeMetrics) {
      this.declare(null, { name: def.name, type: def.type, writable: def.writable, ...(def.aliased ? { alias: this.nextAlias++ } : {}) })
      this.values.get(null)!.set(def.name, { name: def.name, type: def.type, value: def.value, at: now })
    }
    for (const device of devices) this.addDevice(device)
  }

  /** Declares a device's metrics (offline until `setOnline`). */
  addDevice(device: DeviceDef): void {
    this.byName.set(device.deviceId, new Map())
    this.byAlias.set(device.deviceId, new Map())
    this.values.set(device.deviceId, new Map())
    for (const tag of device.tags) this.declare(device.deviceId, { name: tag.name, type: tag.type, ...this.aliasOf(tag), writable: tag.writable, tag })
    this.declareInstances(device, new Map())
  }

  /**
   * Declares a device anew after its tag file changed. A metric with the same name and type keeps
   * its alias (a host's history stays joined up); a new one gets a new alias; aliases of metrics
   * that are gone are retired, never reused. Values of kept metrics stay for the next DBIRTH.
   */
  replaceDevice(device: DeviceDef): void {
    const before = this.byName.get(device.deviceId) ?? new Map<string, Declared>()
    const values = this.values.get(device.deviceId) ?? new Map<string, Metric>()
    const instancesBefore = this.instanceDefs.get(device.deviceId) ?? new Map<string, DeclaredInstance>()
    this.forgetAliases(device.deviceId)
    this.byName.set(device.deviceId, new Map())
    this.byAlias.set(device.deviceId, new Map())
    const kept = new Map<string, Metric>()
    for (const tag of device.tags) {
      const old = before.get(tag.name)
      const same = old !== undefined && old.type === tag.type
      const alias = tag.instance !== undefined ? {} : same && old.alias !== undefined ? { alias: old.alias } : this.aliasOf(tag)
      this.declare(device.deviceId, { name: tag.name, type: tag.type, ...alias, writable: tag.writable, tag })
      const value = values.get(tag.name)
      if (same && value !== undefined) kept.set(tag.name, value)
    }
    this.values.set(device.deviceId, kept)
    this.declareInstances(device, instancesBefore)
  }

  instances(deviceId: string): ReadonlyMap<string, DeclaredInstance> {
    return this.instanceDefs.get(deviceId) ?? new Map()
  }

  lookupInstance(deviceId: string, nameOrAlias: string | number): DeclaredInstance | undefined {
    if (typeof nameOrAlias === 'string') return this.instanceDefs.get(deviceId)?.get(nameOrAlias)
    const hit = this.instanceAliases.get(nameOrAlias)
    return hit?.deviceId === deviceId ? hit.instance : undefined
  }

  templates(): ReadonlyMap<string, TemplateTypeConfig> {
    const all = new Map<string, TemplateTypeConfig>()
    for (const list of this.templateDefs.values()) for (const t of list) all.set(t.name, t)
    return new Map([...all].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  }

  /** Members of an instance go by their instance's alias. */
  private aliasOf(tag: TagDef): { alias?: number } {
    return tag.instance === undefined ? { alias: this.nextAlias++ } : {}
  }

  /** An instance with the same name and type as before keeps its alias (the host's history stays joined up). */
  private declareInstances(device: DeviceDef, before: ReadonlyMap<string, DeclaredInstance>): void {
    const declared = this.byName.get(device.deviceId)!
    const types = new Map((device.templates ?? []).map((t) => [t.name, t]))
    const instances = new Map<string, DeclaredInstance>()
    for (const config of device.instances ?? []) {
      const members = new Map<string, Declared>()
      for (const def of declared.values()) if (def.tag?.instance === config.name) members.set(def.tag.member!, def)
      const old = before.get(config.name)
      const alias = old !== undefined && old.type.name === config.type ? old.alias : this.nextAlias++
      const instance: DeclaredInstance = { name: config.name, alias, config, type: types.get(config.type)!, members }
      instances.set(config.name, instance)
      this.instanceAliases.set(alias, { deviceId: device.deviceId, instance })
    }
    this.instanceDefs.set(device.deviceId, instances)
    this.templateDefs.set(device.deviceId, device.templates ?? [])
  }

  /** Forgets a device whose tag file was removed; its aliases are retired. */
  removeDevice(deviceId: string): void {
    this.forgetAliases(deviceId)
    this.instanceDefs.delete(deviceId)
    this.templateDefs.delete(deviceId)
    this.byName.delete(deviceId)
    this.values.delete(deviceId)
    this.online.delete(deviceId)
  }

  get deviceIds(): string[] {
    return [...this.byName.keys()].filter((id): id is string => id !== null)
  }

  isOnline(deviceId: string): boolean {
    return this.online.has(deviceId)
  }

  setOnline(deviceId: string, online: boolean): void {
    if (online) this.online.add(deviceId)
    else this.online.delete(deviceId)
  }

  onlineDevices(): string[] {
    return this.deviceIds.filter((id) => this.online.has(id))
  }

  /** Keeps new values (for the next births) and returns them as a DATA record, or null if empty or undeclared. */
  record(deviceId: string | null, metrics: readonly Metric[], at = Date.now()): DataRecord | null {
    if (metrics.length === 0) return null
    const values = this.values.get(deviceId)
    if (values === undefined) return null
    for (const metric of metrics) values.set(metric.name, metric)
    return { deviceId, at, metrics }
  }

  declared(deviceId: string | null): ReadonlyMap<string, Declared> | undefined {
    return this.byName.get(deviceId)
  }

  declaresAny(record: DataRecord): boolean {
    const declared = this.byName.get(record.deviceId)
    return declared !== undefined && record.metrics.some((m) => declared.has(m.name))
  }

  lookup(deviceId: string | null, nameOrAlias: string | number): Declared | undefined {
    if (typeof nameOrAlias === 'number') return this.byAlias.get(deviceId)?.get(nameOrAlias)
    return this.byName.get(deviceId)?.get(nameOrAlias)
  }

  lastMetric(deviceId: string | null, name: string): Metric | undefined {
    return this.values.get(deviceId)?.get(name)
  }

  lastValue(deviceId: string | null, name: string): Value | null | undefined {
    return this.lastMetric(deviceId, name)?.value
  }

  private forgetAliases(deviceId: string): void {
    this.byAlias.delete(deviceId)
    for (const instance of this.instanceDefs.get(deviceId)?.values() ?? []) this.instanceAliases.delete(instance.alias)
  }

  private declare(deviceId: string | null, metric: Declared): void {
    this.byName.get(deviceId)!.set(metric.name, metric)
    if (metric.alias !== undefined) this.byAlias.get(deviceId)!.set(metric.alias, metric)
  }
}
