/**
 * `instances:` of a device file: each instance of a type binds every leaf member of the type to a
 * field address, written like a tag whose name is the member (`Motor/Current` inside a nested
 * template). The bindings become ordinary tags named `<instance>/<member>`, so scanning, scaling,
 * deadband, writes and the buffer treat them like any tag; only the payloads group them.
 */
import type { ConfigPath } from '../model/result.js'
import { Fields, type Section } from './fields.js'
import { didYouMean } from './suggest.js'
import { checkedParameter, leafMembers } from './template-types.js'
import type { InstanceConfig, TagConfig, TemplateParameterConfig, TemplateTypeConfig } from './types.js'

export const MAX_INSTANCES = 1000
/** Leaf members of one instance, nested templates included. */
export const MAX_INSTANCE_MEMBERS = 10000

const instanceKeys = ['name', 'type', 'parameters', 'members'] as const
/** Set by the type file: the same for every instance, as the definition in NBIRTH says. */
const fromType = ['units', 'description', 'sparkplugType'] as const

/** Types by name; `known` also names the types whose files have errors, so they are not "unknown". */
export interface TypeCatalog {
  readonly types: ReadonlyMap<string, TemplateTypeConfig>
  readonly known: readonly string[]
}

export interface ParsedInstances {
  readonly instances: InstanceConfig[]
  /** The bindings, in the order of `tags`, as the driver reads tags (name = `<instance>/<member>`). */
  readonly sections: Section[]
  readonly tags: TagConfig[]
  /** Where each binding was written. */
  readonly origins: ConfigPath[]
  readonly templates: TemplateTypeConfig[]
}

type ParseTag = (f: Fields, t: Section | undefined, devicePollMs: number) => TagConfig | undefined

export function parseInstances(
  f: Fields, root: Section | undefined, catalog: TypeCatalog, tagKeys: readonly string[] | undefined,
  pollMs: number, parseTag: ParseTag, tagNames: readonly string[],
): ParsedInstances {
  const out: ParsedInstances = { instances: [], sections: [], tags: [], origins: [], templates: [] }
  const items = f.list(root, 'instances') ?? []
  if (items.length > MAX_INSTANCES) f.error(['instances', MAX_INSTANCES], `a device may have at most ${MAX_INSTANCES} instances`)
  const names = new Map<string, number>()
  const used = new Set<string>()
  items.slice(0, MAX_INSTANCES).forEach((item, i) => {
    const s = f.map(item.value, item.path, instanceKeys, 'an instance: a map with name, type and members')
    const name = f.name(s, 'name', { required: true })
    if (name !== undefined) checkInstanceName(f, name, [...item.path, 'name'], names, i, tagNames)
    const typeName = f.id(s, 'type', { required: true })
    const type = typeName === undefined ? undefined : catalog.types.get(typeName)
    if (typeName !== undefined && !catalog.known.includes(typeName)) {
      f.error([...item.path, 'type'], `unknown type '${typeName}'${didYouMean(typeName, catalog.known)} (types are read from the types directory next to gateway.yaml)`)
    }
    const parameters = type === undefined ? [] : instanceParameters(f, s, type)
    if (type === undefined || name === undefined) return
    const leaves = leafMembers(type, catalog.types)
    if (leaves.length > MAX_INSTANCE_MEMBERS) {
      f.error([...item.path, 'type'], `type ${type.name} has ${leaves.length} members with its nested templates; an instance may have at most ${MAX_INSTANCE_MEMBERS}`)
      return
    }
    const bound = bindMembers(f, s, name, type, leaves, tagKeys, pollMs, parseTag, out)
    if (!bound) return
    out.instances.push({ name, type: type.name, parameters })
    collectTypes(type, catalog.types, used)
  })
  out.templates.push(...[...used].sort().map((n) => catalog.types.get(n)!))
  return out
}

function checkInstanceName(f: Fields, name: string, path: ConfigPath, names: Map<string, number>, i: number, tagNames: readonly string[]): void {
  const key = name.toLowerCase()
  if (name === 'bdSeq' || key === 'node control' || name.includes('/')) {
    f.error(path, name.includes('/') ? `'${name}' contains '/'; an instance name is one level (its members make the folders below it)` : `'${name}' is reserved by Sparkplug for the node; choose another name`)
    return
  }
  const first = names.get(key)
  if (first !== undefined) return void f.error(path, `duplicate instance name '${name}' (instances[${first}] has it; names are compared ignoring case)`)
  names.set(key, i)
  const tag = tagNames.findIndex((t) => t.toLowerCase() === key || t.toLowerCase().startsWith(`${key}/`))
  if (tag >= 0) f.error(path, `'${name}' is also the name (or folder) of tags[${tag}] '${tagNames[tag]}'; an instance is one metric, so its name must be its own`)
}

function instanceParameters(f: Fields, s: Section | undefined, type: TemplateTypeConfig): TemplateParameterConfig[] {
  const given = f.get(s, 'parameters')
  const names = type.parameters.map((p) => p.name)
  const section = given === undefined ? undefined : f.map(given.value, given.path, names.length === 0 ? [] : names)
  if (section !== undefined) {
    // Fields.map already reported unknown keys; say which type they were looked up in.
    for (const e of f.errors) {
      if (e.path.length === section.path.length + 1 && e.path.slice(0, -1).join('\0') === section.path.join('\0') && e.message.startsWith('unknown key')) {
        const key = String(e.path[e.path.length - 1])
        ;(e as { message: string }).message = `type ${type.name} has no parameter '${key}'${didYouMean(key, names)}`
      }
    }
  }
  return type.parameters.map((p) => {
    const written = f.get(section, p.name)
    const value = written === undefined ? p.value : checkedParameter(f, written.value, p.type, written.path)
    return { name: p.name, type: p.type, value: value ?? p.value }
  })
}

function bindMembers(
  f: Fields, s: Section | undefined, instance: string, type: TemplateTypeConfig, leaves: ReturnType<typeof leafMembers>,
  tagKeys: readonly string[] | undefined, pollMs: number, parseTag: ParseTag, out: ParsedInstances,
): boolean {
  const items = f.list(s, 'members', { required: true })
  if (items === undefined || s === undefined) return false
  const byPath = new Map(leaves.map((l) => [l.path, l.member]))
  const bound = new Map<string, number>()
  const before = f.errors.length
  items.forEach((item, k) => {
    const b = tagKeys === undefined ? f.map(item.value, item.path, Object.keys(item.value ?? {}), 'a member binding: a map with name and address')
      : f.map(item.value, item.path, tagKeys, 'a member binding: a map with name and address')
    const member = f.name(b, 'name', { required: true })
    if (b === undefined || member === undefined) return
    for (const key of fromType) {
      if (f.has(b, key)) f.error([...item.path, key], `${key} of a member is set in its type file (${type.name}), the same for every instance`)
    }
    const def = byPath.get(member)
    if (def === undefined) return void f.error([...item.path, 'name'], `type ${type.name} has no member '${member}'${didYouMean(member, [...byPath.keys()])}`)
    const first = bound.get(member)
    if (first !== undefined) return void f.error([...item.path, 'name'], `member '${member}' is bound twice (members[${first}] binds it)`)
    bound.set(member, k)
    const tag = parseTag(f, b, pollMs)
    if (tag === undefined) return
    const full = `${instance}/${member}`
    const fromDef = { sparkplugType: def.datatype!, ...(def.units === undefined ? {} : { units: def.units }), ...(def.description === undefined ? {} : { description: def.description }) }
    out.tags.push({ ...tag, name: full, ...fromDef, instance, member })
    out.sections.push({ value: { ...b.value, name: full }, path: item.path })
    out.origins.push(item.path)
  })
  const missing = leaves.filter((l) => !bound.has(l.path)).map((l) => l.path)
  if (missing.length > 0) {
    f.error([...s.path, 'members'], `member${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} of type ${type.name} ${missing.length > 1 ? 'are' : 'is'} not bound; every member needs an address`)
  }
  return f.errors.length === before
}

function collectTypes(type: TemplateTypeConfig, types: ReadonlyMap<string, TemplateTypeConfig>, into: Set<string>): void {
  if (into.has(type.name)) return
  into.add(type.name)
  for (const m of type.members) {
    const inner = m.type === undefined ? undefined : types.get(m.type)
    if (inner !== undefined) collectTypes(inner, types, into)
  }
}
