/**
 * What the OPC UA driver knows of each point: the type its server reports, the type it is
 * published as, the latest value (subscription mode), and how a DataValue becomes a Reading
 * (type conversion, quality, size limits, stale notifications).
 */
import type { DataValue } from 'node-opcua-client'
import { DriverError, type PointInfo, type Reading } from '../driver.js'
import type { Log } from '../../gateway/model/log.js'
import type { SparkplugType } from '../../gateway/model/value.js'
import type { ResolvedOpcuaConfig } from './config.js'
import { describeStatus } from './errors.js'
import { fromOpcua, type OpcuaType, severity, sparkplugTypeOf, toText, typeOfVariant } from './types.js'
import { measure } from './value-size.js'

/** A tag without `type` whose node had no good value to learn its type from is published as text. */
const unresolved: SparkplugType = 'String'

/** Bytes a scan or a Publish answer may still bring. */
export interface ByteBudget {
  left: number
}

export class PointValues {
  /** The points with their construction-time types: declared, else text. */
  readonly points: PointInfo[]
  /** Subscription mode: the latest DataValue per point (or why it is bad), converted when read. */
  latest: (DataValue | Reading)[] = []
  private readonly declared: readonly (SparkplugType | null)[]
  private readonly byName: ReadonlyMap<string, number>
  private readonly serverTypes: (OpcuaType | null)[]
  private published: readonly SparkplugType[]
  /** Set once the caller takes resolved types (resolvedPoints, watch): from then on values follow them. */
  private resolving = false
  /** Tags whose last value was too large, logged once until a value fits again. */
  private readonly tooLargeLogged = new Set<number>()

  constructor(
    private readonly config: ResolvedOpcuaConfig,
    private readonly log: Log,
  ) {
    this.declared = config.points.map((p) => (p.declared === null ? null : sparkplugTypeOf(p.declared)))
    this.points = config.points.map((p, i) => ({ name: p.name, type: this.declared[i] ?? unresolved }))
    this.byName = new Map(config.points.map((p, i) => [p.name, i]))
    this.serverTypes = config.points.map(() => null)
    this.published = this.points.map((p) => p.type)
  }

  indexOf(name: string): number {
    const index = this.byName.get(name)
    if (index === undefined) throw new DriverError('rejected', `no tag named "${name}" on this device`)
    return index
  }

  /** The open's first read: every good value tells its node's type. */
  learnTypes(values: readonly DataValue[]): void {
    values.forEach((dv, i) => {
      if (severity(dv.statusCode.value) !== 'bad') this.serverTypes[i] = typeOfVariant(dv.value.dataType, dv.value.arrayType)
    })
    if (this.resolving) this.resolve()
  }

  /** A notification of a node whose type is not known yet tells it. */
  learnType(i: number, dv: DataValue): void {
    if (severity(dv.statusCode.value) !== 'bad' && this.serverTypes[i] === null) this.serverTypes[i] = typeOfVariant(dv.value.dataType, dv.value.arrayType)
  }

  /** The type a write converts to: the server's, else the declared one; null before any good value of an undeclared tag. */
  writeType(i: number): OpcuaType | null {
    return this.serverTypes[i] ?? this.config.points[i].declared
  }

  /** Switches to the resolved types and returns every point with the type it is published as. */
  resolvedPoints(): PointInfo[] {
    this.resolving = true
    this.resolve()
    return this.config.points.map((p, i) => ({ name: p.name, type: this.published[i] }))
  }

  toReading(i: number, dv: DataValue): Reading {
    const p = this.config.points[i]
    const at = (dv.sourceTimestamp ?? dv.serverTimestamp)?.getTime() ?? Date.now()
    const quality = severity(dv.statusCode.value)
    if (quality === 'bad') return { point: p.name, at, error: new DriverError('rejected', `${p.nodeId}: ${describeStatus(dv.statusCode)}`) }
    const from = typeOfVariant(dv.value.dataType, dv.value.arrayType)
    if (from === null) return { point: p.name, at, error: new DriverError('decode', `${p.nodeId}: OPC UA data type ${dv.value.dataType} has no Sparkplug mapping`) }
    const to = this.published[i]
    const converted = this.declared[i] === null && to === unresolved ? { ok: true as const, value: toText(dv.value.value, from) } : fromOpcua(dv.value.value, from, to)
    if (!converted.ok) return { point: p.name, at, error: new DriverError('decode', `${p.name} (${p.nodeId}): ${converted.message}`) }
    return quality === 'uncertain' ? { point: p.name, at, value: converted.value, quality } : { point: p.name, at, value: converted.value }
  }

  /**
   * A bad reading for a value over its tag's limits or past the scan's byte budget, decided from
   * the lengths node-opcua decoded, before anything converts or copies the value; null: it fits.
   */
  tooLarge(i: number, dv: DataValue, budget: ByteBudget): Reading | null {
    const t = severity(dv.statusCode.value) === 'bad' ? null : typeOfVariant(dv.value.dataType, dv.value.arrayType)
    if (t === null) return null
    const p = this.config.points[i]
    const m = measure(dv.value.value, t, p.limits)
    const problem = 'problem' in m ? m.problem
      : m.bytes > budget.left ? `${m.bytes} bytes would pass connection.maxBytesPerScan ${this.config.maxBytesPerScan} with the other values of this scan` : null
    if (problem === null) {
      budget.left -= (m as { bytes: number }).bytes
      this.tooLargeLogged.delete(i)
      return null
    }
    if (!this.tooLargeLogged.has(i)) {
      this.tooLargeLogged.add(i)
      this.log.warn('OPC UA value too large: published as bad until it fits', { tag: p.name, nodeId: p.nodeId, reason: problem })
    }
    const at = (dv.sourceTimestamp ?? dv.serverTimestamp)?.getTime() ?? Date.now()
    return { point: p.name, at, error: new DriverError('decode', `${p.name} (${p.nodeId}): ${problem}`) }
  }

  /**
   * A notification sampled before the value the driver already holds (a write's read-back
   * overtaking the publish that was in flight) would republish the old value as new data.
   */
  isStale(i: number, dv: DataValue): boolean {
    const [held, incoming] = [sampledAt(this.latest[i]), sampledAt(dv)]
    return held !== null && incoming !== null && incoming < held
  }

  current(i: number): Reading {
    const entry = this.latest[i]!
    return 'point' in entry ? entry : this.toReading(i, entry)
  }

  all(): Reading[] {
    return this.config.points.map((_, i) => this.current(i))
  }

  /** The server refused to monitor the point's node. */
  refused(i: number, why: string): void {
    const p = this.config.points[i]
    this.latest[i] = { point: p.name, at: Date.now(), error: new DriverError('rejected', `${p.nodeId}: ${why}`) }
  }

  private resolve(): void {
    this.published = this.config.points.map((_, i) => this.declared[i] ?? (this.serverTypes[i] === null ? null : sparkplugTypeOf(this.serverTypes[i]!)) ?? unresolved)
  }
}

/** Source (else server) time of a value, for telling a stale notification from a newer value. */
function sampledAt(entry: DataValue | Reading | undefined): number | null {
  if (entry === undefined || 'point' in entry) return null
  return (entry.sourceTimestamp ?? entry.serverTimestamp)?.getTime() ?? null
}
