/**
 * A type file (`types/Pump.yaml`) -> TemplateTypeConfig, and the checks that need every type at
 * once: nested types that exist, no type that contains itself, and a bounded nesting depth.
 * Pure: the loader has read the YAML.
 */
import { integerRange } from '../base/integer-ranges.js'
import type { ConfigError, ConfigPath } from '../model/result.js'
import { sparkplugTypes } from './sparkplug-types.js'
import { Fields, type Section } from './fields.js'
import { didYouMean } from './suggest.js'
import type { ParameterType, ParameterValue, TemplateMemberConfig, TemplateParameterConfig, TemplateTypeConfig } from './types.js'

/** Templates inside templates, counting the outermost: Ignition shows each level as a folder, and births stay small. */
export const MAX_TEMPLATE_DEPTH = 4
export const MAX_MEMBERS = 1000
export const MAX_PARAMETERS = 100

export const parameterTypes: readonly ParameterType[] = [
  'Int8', 'Int16', 'Int32', 'Int64', 'UInt8', 'UInt16', 'UInt32', 'UInt64',
  'Float', 'Double', 'Boolean', 'String', 'DateTime', 'Text',
]

export const typeKeys = ['type', 'version', 'description', 'parameters', 'members'] as const
export const parameterKeys = ['name', 'type', 'default'] as const
export const memberKeys = ['name', 'datatype', 'type', 'units', 'description'] as const

/** Errors of one type file; `type` is set when the file is valid on its own. */
export function parseTypeFile(raw: unknown, file: string, known: readonly string[]): { type?: TemplateTypeConfig; errors: ConfigError[] } {
  const f = new Fields()
  const root = f.root(raw, typeKeys)
  const name = f.id(root, 'type', { required: true })
  const version = f.string(root, 'version')
  const parameters = parseParameters(f, root)
  const members = parseMembers(f, root, known)
  if (f.errors.length > 0 || name === undefined) return { errors: f.errors }
  return { type: { file, name, ...(version === undefined ? {} : { version }), members, parameters }, errors: [] }
}

function parseParameters(f: Fields, root: Section | undefined): TemplateParameterConfig[] {
  const items = f.list(root, 'parameters') ?? []
  if (items.length > MAX_PARAMETERS) f.error(['parameters', MAX_PARAMETERS], `a type may declare at most ${MAX_PARAMETERS} parameters`)
  const out: TemplateParameterConfig[] = []
  const seen = new Map<string, number>()
  items.slice(0, MAX_PARAMETERS).forEach((item, i) => {
    const p = f.map(item.value, item.path, parameterKeys, 'a parameter: a map with name and type')
    const name = f.name(p, 'name', { required: true })
    const type = f.oneOf(p, 'type', parameterTypes)
    if (p !== undefined && !f.has(p, 'type')) f.error([...p.path, 'type'], 'required key is missing')
    if (name !== undefined) unique(f, seen, name, ['parameters', i, 'name'], 'parameter')
    const given = f.get(p, 'default')
    const value = type === undefined ? undefined : given === undefined ? zeroOf(type) : checkedParameter(f, given.value, type, given.path)
    if (name !== undefined && type !== undefined && value !== undefined) out.push({ name, type, value })
  })
  return out
}

function parseMembers(f: Fields, root: Section | undefined, known: readonly string[]): TemplateMemberConfig[] {
  const items = f.list(root, 'members', { required: true })
  if (items !== undefined && items.length === 0) f.error(['members'], 'expected at least one member')
  if (items !== undefined && items.length > MAX_MEMBERS) f.error(['members', MAX_MEMBERS], `a type may declare at most ${MAX_MEMBERS} members`)
  const out: TemplateMemberConfig[] = []
  const seen = new Map<string, number>()
  ;(items ?? []).slice(0, MAX_MEMBERS).forEach((item, i) => {
    const m = f.map(item.value, item.path, memberKeys, 'a member: a map with name and datatype (or type)')
    const name = f.name(m, 'name', { required: true })
    if (name !== undefined && name.includes('/')) {
      f.error([...item.path, 'name'], `'${name}' contains '/'; member names may not contain / (it separates the members of nested templates)`)
    } else if (name !== undefined) unique(f, seen, name, ['members', i, 'name'], 'member')
    const datatype = f.oneOf(m, 'datatype', sparkplugTypes)
    const type = f.id(m, 'type')
    if (type !== undefined && !known.includes(type)) f.error([...item.path, 'type'], `unknown type '${type}'${didYouMean(type, known)}`)
    if (f.has(m, 'datatype') && f.has(m, 'type')) f.error([...item.path, 'type'], 'give a member either a datatype or the type of a nested template, not both')
    else if (m !== undefined && !f.has(m, 'datatype') && !f.has(m, 'type')) f.error(item.path, 'a member needs a datatype (Float, Boolean, ...) or the type of a nested template')
    const units = f.string(m, 'units')
    const description = f.string(m, 'description')
    if (name === undefined || (datatype === undefined && type === undefined)) return
    const member: TemplateMemberConfig = { name, datatype, type, units, description }
    out.push(Object.fromEntries(Object.entries(member).filter(([, v]) => v !== undefined)) as unknown as TemplateMemberConfig)
  })
  return out
}

function unique(f: Fields, seen: Map<string, number>, name: string, path: ConfigPath, what: string): void {
  const key = name.toLowerCase()
  const first = seen.get(key)
  if (first === undefined) seen.set(key, path[1] as number)
  else f.error(path, `duplicate ${what} name '${name}' (${what === 'member' ? 'members' : 'parameters'}[${first}] has it; names are compared ignoring case)`)
}

function zeroOf(type: ParameterType): ParameterValue {
  if (type === 'Boolean') return false
  if (type === 'String' || type === 'Text') return ''
  return type === 'Int64' || type === 'UInt64' || type === 'DateTime' ? 0n : 0
}

/** A parameter value as written (default or an instance's), checked against the parameter's type. */
export function checkedParameter(f: Fields, value: unknown, type: ParameterType, path: ConfigPath): ParameterValue | undefined {
  const what = ` (the parameter's type is ${type})`
  if (type === 'Boolean') return typeof value === 'boolean' ? value : f.error(path, `expected true or false${what}`)
  if (type === 'String' || type === 'Text') return typeof value === 'string' ? value : f.error(path, `expected a string${what}`)
  if (typeof value !== 'number' || !Number.isFinite(value)) return f.error(path, `expected a number${what}`)
  if (type === 'Float' || type === 'Double') return value
  if (type === 'DateTime') {
    return Number.isInteger(value) && value >= 0 ? BigInt(value) : f.error(path, `expected milliseconds since 1970 (a whole number >= 0)${what}`)
  }
  const [min, max] = integerRange(type)!
  if (!Number.isSafeInteger(value) || BigInt(value) < min || BigInt(value) > max) {
    return f.error(path, `expected a whole number from ${min} to ${max}${what}`)
  }
  return type === 'Int64' || type === 'UInt64' ? BigInt(value) : value
}

/**
 * Cycles and nesting depth, over every valid type file. Errors by type name, each at the member
 * of that type where the problem shows.
 */
export function checkTypesTogether(types: readonly TemplateTypeConfig[]): Map<string, ConfigError[]> {
  const byName = new Map(types.map((t) => [t.name, t]))
  const errors = new Map<string, ConfigError[]>()
  const add = (type: TemplateTypeConfig, e: ConfigError) => errors.set(type.name, [...(errors.get(type.name) ?? []), e])
  for (const type of types) {
    const problem = nesting(type, byName)
    if (problem !== undefined) add(type, problem)
  }
  return errors
}

/** A cycle through `type`, or else too deep a nesting below it, at the member of `type` that leads to it. */
function nesting(type: TemplateTypeConfig, byName: ReadonlyMap<string, TemplateTypeConfig>): ConfigError | undefined {
  const inner = type.members.flatMap((m, i) => {
    const t = m.type === undefined ? undefined : byName.get(m.type)
    return t === undefined ? [] : [{ t, path: ['members', i, 'type'] as ConfigPath }]
  })
  for (const { t, path } of inner) {
    const cycle = chainBack(t, type.name, byName, [type.name, t.name])
    if (cycle !== undefined) return { path, message: `type ${cycle.join(' -> ')} contains itself; a template cannot contain its own type` }
  }
  for (const { t, path } of inner) {
    const deepest = [type.name, ...deepestChain(t, byName, [type.name])]
    if (deepest.length > MAX_TEMPLATE_DEPTH) {
      return { path, message: `templates nest ${deepest.join(' -> ')}: more than ${MAX_TEMPLATE_DEPTH} levels` }
    }
  }
  return undefined
}

/** The chain of types from `from` back to `target`, if there is one. */
function chainBack(from: TemplateTypeConfig, target: string, byName: ReadonlyMap<string, TemplateTypeConfig>, chain: string[]): string[] | undefined {
  for (const m of from.members) {
    if (m.type === target) return [...chain, target]
    const next = m.type === undefined ? undefined : byName.get(m.type)
    if (next === undefined || chain.includes(next.name)) continue
    const found = chainBack(next, target, byName, [...chain, next.name])
    if (found !== undefined) return found
  }
  return undefined
}

/** The longest chain of nested types starting at `type`; a cycle elsewhere stops the walk (it is reported at its own types). */
function deepestChain(type: TemplateTypeConfig, byName: ReadonlyMap<string, TemplateTypeConfig>, above: readonly string[]): string[] {
  let best: string[] = []
  for (const m of type.members) {
    const next = m.type === undefined ? undefined : byName.get(m.type)
    if (next === undefined || above.includes(next.name) || next.name === type.name) continue
    const chain = deepestChain(next, byName, [...above, type.name])
    if (chain.length > best.length) best = chain
  }
  return [type.name, ...best]
}

/** The leaf members of `type` as paths (`Motor/Current`) with their definitions, in definition order. */
export function leafMembers(type: TemplateTypeConfig, byName: ReadonlyMap<string, TemplateTypeConfig>, prefix = ''): { path: string; member: TemplateMemberConfig }[] {
  return type.members.flatMap((m) => {
    const path = `${prefix}${m.name}`
    if (m.type === undefined) return [{ path, member: m }]
    const inner = byName.get(m.type)
    return inner === undefined ? [] : leafMembers(inner, byName, `${path}/`)
  })
}
