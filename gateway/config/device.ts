/**
 * A device tag file -> DeviceConfig. Pure: the loader has already read the YAML and replaced a
 * CSV `tags:` path with the CSV's rows. Checks the device-level keys and the tag keys every driver
 * shares, then hands connection and tags to the driver module's own `parse`.
 */
import type { DriverModule, RawDevice } from '../../drivers/driver.js'
import type { ConfigError, ConfigPath, Result } from '../model/result.js'
import { fail, ok } from '../model/result.js'
import type { Value } from '../model/value.js'
import { defaults } from './defaults.js'
import { Fields, type Section } from './fields.js'
import { parseInstances, type TypeCatalog } from './instances.js'
import { sparkplugTypes } from './sparkplug-types.js'
import { didYouMean } from './suggest.js'
import { parseDerived } from './derived.js'
import type { Log } from '../model/log.js'
import type { DeviceConfig, TagConfig } from './types.js'

/** Drivers by the `driver:` value of a device file (drivers/registry.ts, or a test's own). */
export type Registry = Readonly<Record<string, DriverModule<any>>>

export const deviceKeys = ['device', 'driver', 'connection', 'poll', 'offlineAfter', 'tags', 'instances', 'derived'] as const
export const commonTagKeys = [
  'name', 'poll', 'scale', 'offset', 'units', 'description', 'deadband',
  'writable', 'min', 'max', 'allowed', 'writeInterval', 'sparkplugType',
] as const

/** Tag keys that only bound what a host may write. */
const writeBounds = ['min', 'max', 'allowed', 'writeInterval'] as const

export { sparkplugTypes } from './sparkplug-types.js'

/**
 * Validates one device file's content; `file` is recorded in the result and in nothing else.
 * Keys that have no effect as written (the driver's, and a write bound on a tag that is not
 * writable) are added to `warnings`.
 */
export function parseDevice(
  raw: unknown, file: string, registry: Registry, warnings: ConfigError[] = [], catalog: TypeCatalog = noTypes,
): Result<DeviceConfig, ConfigError[]> {
  const f = new Fields()
  const result = parseWith(f, raw, file, registry, catalog)
  warnings.push(...f.warnings)
  return result
}

const noTypes: TypeCatalog = { types: new Map(), known: [] }

function parseWith(f: Fields, raw: unknown, file: string, registry: Registry, catalog: TypeCatalog): Result<DeviceConfig, ConfigError[]> {
  const root = f.root(raw, deviceKeys)
  const deviceId = f.id(root, 'device', { required: true })
  const driver = f.string(root, 'driver', { required: true })
  const module = driver === undefined ? undefined : registry[driver]
  if (driver !== undefined && module === undefined) {
    const names = Object.keys(registry)
    f.error(['driver'], `unknown driver '${driver}'${didYouMean(driver, names)} (known: ${names.join(', ')})`)
  }
  const pollMs = f.duration(root, 'poll', { positive: true }) ?? defaults.device.pollMs
  const offlineAfter = f.number(root, 'offlineAfter', { integer: true, min: 1 }) ?? defaults.device.offlineAfter
  // Optional here: a driver that needs connection settings says which ones are missing.
  const connection = f.get(root, 'connection')
  if (connection !== undefined && module !== undefined) checkConnectionKeys(f, connection.value, module)
  const tagKeys = module === undefined ? undefined : [...commonTagKeys, ...Object.keys(module.schema.tagProperties)]
  // A device of instances only is complete: the instances' members are its tags.
  const listed = f.get(root, 'instances')?.value
  const hasInstances = Array.isArray(listed) && listed.length > 0
  const items = f.list(root, 'tags', { required: !hasInstances }) ?? (hasInstances ? [] : undefined)
  if (items !== undefined && items.length === 0 && !hasInstances) f.error(['tags'], 'expected at least one tag')
  const sections = (items ?? []).map((item) => tagSection(f, item.value, item.path, tagKeys))
  const tags = sections.map((s) => parseTag(f, s, pollMs))
  checkNames(f, tags)
  const templated = parseInstances(f, root, catalog, tagKeys, pollMs, parseTag, tags.map((t) => t?.name ?? ''))

  let driverConfig: unknown
  const complete = items !== undefined && sections.every((s) => s !== undefined)
  if (module !== undefined && driver !== undefined && complete) {
    const all = [...sections.map((s) => s!.value), ...templated.sections.map((s) => s.value)]
    const rawDevice: RawDevice = { driver, connection: connection?.value ?? {}, tags: all, pollMs }
    const warned = f.warnings.length
    const parsed = module.parse(rawDevice, [], f.warnings)
    // A binding's problem is reported where the binding is written, not at a tag index.
    const where = (e: ConfigError): ConfigError => {
      const i = e.path[0] === 'tags' && typeof e.path[1] === 'number' ? e.path[1] - sections.length : -1
      return i >= 0 && i < templated.origins.length ? { ...e, path: [...templated.origins[i]!, ...e.path.slice(2)] } : e
    }
    f.warnings.splice(warned, f.warnings.length - warned, ...f.warnings.slice(warned).map(where))
    if (parsed.ok) driverConfig = parsed.value
    else addDriverErrors(f, parsed.error.map(where))
  }
  // The driver's point types, which derived expressions are checked against; create() does no I/O.
  const pointsOf = () => (module === undefined || driverConfig === undefined ? [] : module.create(driverConfig, quiet).points)
  const derived = parseDerived(f, root, [...tags.filter((t): t is TagConfig => t !== undefined), ...templated.tags], pointsOf)
  if (f.errors.length > 0 || deviceId === undefined || driver === undefined) return fail(f.errors)
  const allTags = [...(tags as TagConfig[]), ...templated.tags]
  const instances = templated.instances.length === 0 ? {} : { instances: templated.instances, templates: templated.templates }
  return ok({ file, deviceId, driver, pollMs, offlineAfter, tags: allTags, ...(derived === undefined ? {} : { derived }), driverConfig, ...instances })
}

const quiet: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => quiet }

function tagSection(f: Fields, value: unknown, path: ConfigPath, keys: readonly string[] | undefined): Section | undefined {
  // Without a known driver its tag keys are unknown too: then only the driver error is reported.
  const what = 'a tag: a map with at least a name'
  return keys === undefined ? f.map(value, path, Object.keys(value ?? {}), what) : f.map(value, path, keys, what)
}

function parseTag(f: Fields, t: Section | undefined, devicePollMs: number): TagConfig | undefined {
  if (t === undefined) return undefined
  const name = f.name(t, 'name', { required: true })
  const scale = f.number(t, 'scale')
  if (scale === 0) f.error([...t.path, 'scale'], 'scale 0 would turn every value into the offset; leave scale out for no scaling')
  const min = f.number(t, 'min')
  const max = f.number(t, 'max')
  if (min !== undefined && max !== undefined && min > max) f.error([...t.path, 'max'], `max (${max}) is below min (${min})`)
  const allowed = parseAllowed(f, t)
  const writable = f.boolean(t, 'writable') ?? defaults.tag.writable
  if (!writable) {
    for (const key of writeBounds) {
      if (f.has(t, key)) f.warn([...t.path, key], 'has no effect: the tag is not writable (min, max, allowed and writeInterval bound writes); add writable: true or remove it')
    }
  }
  const tag: TagConfig = {
    name: name ?? '',
    pollMs: f.duration(t, 'poll', { positive: true }) ?? devicePollMs,
    scale,
    offset: f.number(t, 'offset'),
    units: f.string(t, 'units'),
    description: f.string(t, 'description'),
    deadband: f.number(t, 'deadband', { min: 0 }) ?? defaults.tag.deadband,
    writable,
    min,
    max,
    allowed,
    writeIntervalMs: f.duration(t, 'writeInterval') ?? defaults.tag.writeIntervalMs,
    sparkplugType: f.oneOf(t, 'sparkplugType', sparkplugTypes),
  }
  // Absent optional keys are left out rather than set to undefined, so configs compare and print cleanly.
  return Object.fromEntries(Object.entries(tag).filter(([, v]) => v !== undefined)) as unknown as TagConfig
}

function parseAllowed(f: Fields, t: Section): Value[] | undefined {
  const items = f.list(t, 'allowed')
  if (items === undefined) return undefined
  if (items.length === 0) return f.error([...t.path, 'allowed'], 'expected at least one value (leave allowed out to allow any)')
  const values: Value[] = []
  for (const item of items) {
    const v = item.value
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') values.push(v)
    else f.error(item.path, 'expected a number, string or true/false')
  }
  return values
}

/** Metric names: unique even when lower-cased (Sparkplug: names SHOULD NOT collide that way), none reserved. */
function checkNames(f: Fields, tags: readonly (TagConfig | undefined)[]): void {
  const seen = new Map<string, number>()
  tags.forEach((tag, i) => {
    if (tag === undefined || tag.name === '') return
    const path = ['tags', i, 'name']
    if (tag.name === 'bdSeq' || tag.name.startsWith('Node Control/')) {
      f.error(path, `'${tag.name}' is reserved by Sparkplug for the node; choose another name`)
    }
    const key = tag.name.toLowerCase()
    const first = seen.get(key)
    if (first !== undefined) f.error(path, `duplicate metric name '${tag.name}' (tags[${first}] has it; names are compared ignoring case)`)
    else seen.set(key, i)
  })
}

function checkConnectionKeys(f: Fields, value: unknown, module: DriverModule<unknown>): void {
  const properties = module.schema.connection.properties
  if (typeof value !== 'object' || value === null || typeof properties !== 'object' || properties === null) return
  f.map(value, ['connection'], Object.keys(properties))
}

/** The driver may report an unknown key we already reported; one error per place is enough. */
function addDriverErrors(f: Fields, errors: readonly ConfigError[]): void {
  const known = new Set(f.errors.map((e) => JSON.stringify(e.path)))
  for (const e of errors) if (!known.has(JSON.stringify(e.path))) f.errors.push(e)
}
