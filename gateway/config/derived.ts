/**
 * The `derived:` list of a device file: tags computed by the gateway from the device's other
 * tags. Each expression is parsed and type-checked here, at load, against the types the driver
 * gives the tags; a problem points into the expression text.
 */
import type { PointInfo } from '../../drivers/driver.js'
import { readableNodeMetrics } from '../base/node-metric-names.js'
import { compileDerived } from '../derive/compile.js'
import { NODE_PREFIX } from '../derive/ast.js'
import type { ExprType } from '../derive/ast.js'
import type { SparkplugType } from '../model/value.js'
import { defaults } from './defaults.js'
import { Fields, type Section } from './fields.js'
import { didYouMean } from './suggest.js'
import type { DerivedTagConfig, TagConfig } from './types.js'

export const derivedKeys = ['name', 'expression', 'sparkplugType', 'units', 'description', 'deadband'] as const

const numeric: readonly SparkplugType[] = ['Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64', 'Float', 'Double']
/** The datatypes a derived tag may be published as. */
export const derivedTypes: readonly SparkplugType[] = [...numeric, 'Boolean', 'String']

function exprType(type: SparkplugType | undefined): ExprType {
  if (type === undefined) return 'any'
  if (numeric.includes(type) || type === 'DateTime') return 'number'
  if (type === 'Boolean') return 'boolean'
  if (type === 'String' || type === 'Text' || type === 'UUID') return 'string'
  return 'any'
}

const published: Record<Exclude<ExprType, 'any'>, SparkplugType> = { number: 'Double', boolean: 'Boolean', string: 'String' }

/**
 * What an expression reads a tag as: its declared type, a scaled value's number, or the driver's
 * type; and a node metric (`node:` before its name) as the type NBIRTH declares it with.
 */
function inputTypes(tags: readonly TagConfig[], points: readonly PointInfo[]): Map<string, ExprType> {
  const raw = new Map(points.map((p) => [p.name, p.type]))
  const node = [...readableNodeMetrics].map(([name, type]): [string, ExprType] => [NODE_PREFIX + name, exprType(type)])
  return new Map([...node, ...tags.map((t): [string, ExprType] => {
    const scaled = (t.scale !== undefined && t.scale !== 1) || (t.offset !== undefined && t.offset !== 0)
    return [t.name, t.sparkplugType !== undefined ? exprType(t.sparkplugType) : scaled ? 'number' : exprType(raw.get(t.name))]
  })])
}

/** `pointsOf` gives the driver's point types; it is called only for a device that has derived tags. */
export function parseDerived(f: Fields, root: Section | undefined, tags: readonly TagConfig[], pointsOf: () => readonly PointInfo[]): DerivedTagConfig[] | undefined {
  const items = f.list(root, 'derived')
  if (items === undefined) return undefined
  const entries = items.map((item) => {
    const s = f.map(item.value, item.path, derivedKeys, 'a derived tag: a map with a name and an expression')
    return {
      section: s,
      name: f.name(s, 'name', { required: true }),
      expression: f.string(s, 'expression', { required: true }),
      sparkplugType: f.oneOf(s, 'sparkplugType', derivedTypes),
    }
  })
  const taken = new Map(tags.map((t) => [t.name.toLowerCase(), t.name]))
  entries.forEach((e, i) => {
    if (e.name === undefined) return
    const clash = taken.get(e.name.toLowerCase())
    if (clash !== undefined) f.error(['derived', i, 'name'], `'${e.name}' is already a metric of this device ('${clash}'; names are compared ignoring case)`)
    else if (e.name === 'bdSeq' || e.name.startsWith('Node Control/')) f.error(['derived', i, 'name'], `'${e.name}' is reserved by Sparkplug for the node; choose another name`)
    taken.set(e.name.toLowerCase(), e.name)
  })
  const sources = entries.map((e) => ({ name: e.name ?? '', expression: e.expression ?? '' }))
  const { tags: compiled, errors } = compileDerived(sources, inputTypes(tags, pointsOf()), didYouMean)
  for (const e of errors) {
    if (entries[e.index]!.expression !== undefined) f.errors.push({ path: ['derived', e.index, 'expression'], offset: e.at, message: e.message })
  }
  return entries.flatMap((e, i) => {
    const program = compiled[i]
    if (program === undefined || e.name === undefined || e.expression === undefined) return []
    const declared = e.sparkplugType
    if (declared !== undefined && program.type !== 'any' && exprType(declared) !== program.type) {
      f.error(['derived', i, 'sparkplugType'], `the expression gives a ${program.type}, which a ${declared} cannot hold; use ${published[program.type]} or leave sparkplugType out`)
      return []
    }
    const sparkplugType = declared ?? (program.type === 'any' ? 'Double' : published[program.type])
    const tag: DerivedTagConfig = {
      name: e.name, expression: e.expression, expr: program.expr, slots: program.slots, inputs: program.inputs, sparkplugType,
      units: f.string(e.section, 'units'),
      description: f.string(e.section, 'description'),
      deadband: f.number(e.section, 'deadband', { min: 0 }) ?? defaults.tag.deadband,
    }
    return [Object.fromEntries(Object.entries(tag).filter(([, v]) => v !== undefined)) as unknown as DerivedTagConfig]
  })
}
