/**
 * Sparkplug Templates in payloads: a type's definition (NBIRTH), an instance with every member
 * (DBIRTH), and an instance with only the members that changed (DATA). Members of nested
 * templates are tags named by their path (`Motor/Current`); here they become nested Template values.
 */
import type { TemplateParameterConfig, TemplateTypeConfig } from '../config/types.js'
import type { Declared, DeclaredInstance } from '../node/node-state.js'
import type { PayloadMetric, Template, TemplateParameter } from './payload.js'

type Types = ReadonlyMap<string, TemplateTypeConfig>

/** NBIRTH: the definition of `type`; a nested member refers to its type's definition by template_ref. */
export function definitionMetric(type: TemplateTypeConfig, types: Types, now: number): PayloadMetric {
  return { name: type.name, datatype: 'Template', timestamp: now, value: body(type, types, true, now) }
}

function body(type: TemplateTypeConfig, types: Types, isDefinition: boolean, now: number): Template {
  const metrics = type.members.map((m): PayloadMetric => {
    const inner = m.type === undefined ? undefined : types.get(m.type)
    if (inner !== undefined) return { name: m.name, datatype: 'Template', timestamp: now, value: { ...body(inner, types, false, now), templateRef: inner.name } }
    const metric: PayloadMetric = { name: m.name, datatype: m.datatype!, timestamp: now, isNull: true }
    if (m.units !== undefined) metric.properties = { engUnit: { type: 'String', value: m.units } }
    if (m.description !== undefined) metric.properties = { ...metric.properties, documentation: { type: 'String', value: m.description } }
    return metric
  })
  const t: Template = { kind: 'Template', isDefinition, metrics, parameters: parameters(type.parameters) }
  if (isDefinition && type.version !== undefined) t.version = type.version
  return t
}

function parameters(list: readonly TemplateParameterConfig[]): TemplateParameter[] {
  return list.map((p) => ({ name: p.name, type: p.type, value: p.value }))
}

/** DBIRTH: the instance with every member; `member` gives a member's birth metric (its name is set here). */
export function instanceBirthMetric(instance: DeclaredInstance, types: Types, member: (def: Declared) => PayloadMetric, now: number): PayloadMetric {
  const build = (type: TemplateTypeConfig, prefix: string): PayloadMetric[] => type.members.flatMap((m) => {
    const inner = m.type === undefined ? undefined : types.get(m.type)
    if (inner !== undefined) return [nested(m.name, inner, build(inner, `${prefix}${m.name}/`), now)]
    const def = instance.members.get(`${prefix}${m.name}`)
    return def === undefined ? [] : [{ ...member(def), name: m.name }]
  })
  const value: Template = { kind: 'Template', isDefinition: false, templateRef: instance.type.name, metrics: build(instance.type, ''), parameters: parameters(instance.config.parameters) }
  return { name: instance.name, alias: instance.alias, datatype: 'Template', timestamp: now, value }
}

function nested(name: string, type: TemplateTypeConfig, metrics: PayloadMetric[], at: number): PayloadMetric {
  const value: Template = { kind: 'Template', isDefinition: false, templateRef: type.name, metrics, parameters: parameters(type.parameters) }
  return { name, datatype: 'Template', timestamp: at, value }
}

/**
 * DATA: the instance by alias with only `changed` (member path -> its data metric), in the
 * order of the definition. Members, nested templates among them, keep their datatype: they have
 * no alias a host could look it up by.
 */
export function instanceDataMetric(instance: DeclaredInstance, types: Types, changed: ReadonlyMap<string, PayloadMetric>, historical: boolean): PayloadMetric {
  let latest = 0
  const build = (type: TemplateTypeConfig, prefix: string): PayloadMetric[] => type.members.flatMap((m) => {
    const path = `${prefix}${m.name}`
    const inner = m.type === undefined ? undefined : types.get(m.type)
    if (inner !== undefined) {
      const members = build(inner, `${path}/`)
      if (members.length === 0) return []
      const out = nested(m.name, inner, members, Math.max(...members.map((x) => x.timestamp ?? 0)))
      if (historical) out.isHistorical = true
      return [out]
    }
    const metric = changed.get(path)
    if (metric === undefined) return []
    latest = Math.max(latest, metric.timestamp ?? 0)
    const { alias: _alias, ...rest } = metric
    return [{ ...rest, name: m.name }]
  })
  const value: Template = { kind: 'Template', isDefinition: false, templateRef: instance.type.name, metrics: build(instance.type, ''), parameters: [] }
  const out: PayloadMetric = { alias: instance.alias, timestamp: latest, valueType: 'Template', value }
  if (historical) out.isHistorical = true
  return out
}
