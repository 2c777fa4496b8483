/**
 * The devices directory: every device file (and the CSV tag list it names) read, parsed and
 * checked, each problem located at its file, line and column.
 */
import { readdir } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { drivers } from '../../drivers/registry.js'
import type { ConfigError, Result } from '../model/result.js'
import { fail, ok } from '../model/result.js'
import { parseCsv } from './csv.js'
import { defaults } from './defaults.js'
import { parseMemoryRefusal, tagCountRefusal } from './device-limits.js'
import { parseDevice, type Registry } from './device.js'
import type { TypeCatalog } from './instances.js'
import { foreignDevice, foreignTagList, inside } from './foreign.js'
import { Collector, located, type LocatedError, type Locator } from './located.js'
import { parseYaml, type PositionedDocument } from './positions.js'
import { readConfigText, reason, type FileKind } from './read-file.js'
import type { DeviceConfig } from './types.js'

const deviceFile = /\.(ya?ml|json)$/i
const noTypes: TypeCatalog = { types: new Map(), known: [] }

/**
 * Loads every *.yaml, *.yml and *.json file of `dir` (sorted by name) as one device, and checks
 * what only shows across devices: duplicate ids and the driver modules' `checkTogether`.
 * `named` locates a missing directory at the key that named it. Files whose real path is outside
 * the `trusted` directories (default `dir`; the first is named in messages) are only read when
 * they look like what they should be, see `foreignTagList` and `readYaml`.
 */
export async function loadDevices(
  dir: string,
  registry: Registry = drivers,
  options: {
    named?: Omit<LocatedError, 'message'>; exclude?: string; trusted?: readonly string[]
    /** What makes a device id unusable with the chosen upstream (NATS subjects), or undefined. */
    idError?: (id: string) => string | undefined
    /** `limits.tagsPerDevice` of gateway.yaml. */
    tagsPerDevice?: number
    /** Receives the keys that have no effect (see parseDevice), located. */
    warnings?: LocatedError[]
    /** The type files' templates, for `instances:`. */
    catalog?: TypeCatalog
  } = {},
): Promise<Result<DeviceConfig[], LocatedError[]>> {
  const errors = new Collector()
  let names: string[]
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    names = entries.filter((e) => !e.isDirectory() && deviceFile.test(e.name)).map((e) => e.name).sort()
  } catch (cause) {
    const where = options.named ?? { file: dir, line: 1, col: 1, path: '' }
    return fail([{ ...where, message: `cannot read the devices directory ${dir}: ${reason(cause)}` }])
  }

  const devices: DeviceConfig[] = []
  const locators = new Map<string, Locator>()
  for (const name of names) {
    const file = join(dir, name)
    if (file === options.exclude) continue
    const limits = { tagsPerDevice: options.tagsPerDevice ?? defaults.limits.tagsPerDevice, catalog: options.catalog ?? noTypes }
    const loaded = await loadDevice(file, registry, options.trusted ?? [dir], limits, errors, options.warnings ?? [])
    if (loaded === undefined) continue
    locators.set(file, loaded.locate)
    if (loaded.device !== undefined) devices.push(loaded.device)
  }
  checkAcrossDevices(devices, registry, locators, errors)
  const idError = options.idError
  if (idError !== undefined) {
    for (const device of devices) {
      const message = idError(device.deviceId)
      if (message !== undefined) errors.add({ ...locators.get(device.file)!(['device']), path: 'device', message })
    }
  }
  return errors.count > 0 ? fail(errors.sorted()) : ok(devices)
}

async function loadDevice(
  file: string, registry: Registry, trusted: readonly string[], limits: { tagsPerDevice: number; catalog: TypeCatalog }, errors: Collector, warnings: LocatedError[],
): Promise<{ device?: DeviceConfig; locate: Locator } | undefined> {
  const { tagsPerDevice, catalog } = limits
  const foreign = !(await inside(file, trusted))
  const doc = await readYaml(file, 'device', errors, foreign ? (d) => foreignDevice(file, trusted[0]!, d) : undefined)
  if (doc === undefined) return undefined
  const yamlLocate: Locator = (p, offset) => ({ file, ...doc.locate(p, offset) })
  if (doc.errors.length > 0) return { locate: yamlLocate }

  const value = doc.value as Record<string, unknown> | null
  const tags = value?.tags
  // Checked before the tags are parsed: validating them takes memory and time per tag.
  const tooMany = Array.isArray(tags) ? tagCountRefusal(tags.length, tagsPerDevice) : undefined
  if (tooMany !== undefined) {
    errors.add({ ...yamlLocate(['tags', tagsPerDevice]), path: `tags[${tagsPerDevice}]`, message: tooMany })
    return { locate: yamlLocate }
  }
  const derived = value?.derived
  const tooManyDerived = Array.isArray(derived) ? tagCountRefusal(derived.length, tagsPerDevice) : undefined
  if (tooManyDerived !== undefined) {
    errors.add({ ...yamlLocate(['derived', tagsPerDevice]), path: `derived[${tagsPerDevice}]`, message: tooManyDerived })
    return { locate: yamlLocate }
  }
  if (typeof tags !== 'string') return parseLocated(value, file, registry, yamlLocate, errors, warnings, undefined, catalog)

  const csvFile = resolve(dirname(file), tags)
  let text: string
  try {
    text = await readConfigText(csvFile, 'tagList')
  } catch (cause) {
    errors.add({ ...yamlLocate(['tags']), path: 'tags', message: `cannot read tag list ${csvFile}: ${reason(cause)}` })
    // The rest of the file is still checked; its tag errors would only repeat this one.
    parseLocated({ ...value, tags: [{}] }, file, registry, yamlLocate, errors, [], (e) => e.path[0] !== 'tags')
    return { locate: yamlLocate }
  }
  const heavy = parseMemoryRefusal(Buffer.byteLength(text), 'csv')
  if (heavy !== undefined) {
    errors.add({ file: csvFile, line: 1, col: 1, path: '', message: heavy })
    return { locate: yamlLocate }
  }
  const csv = parseCsv(text)
  const tooManyRows = tagCountRefusal(csv.rows.length, tagsPerDevice)
  if (tooManyRows !== undefined) {
    errors.add({ file: csvFile, ...csv.locate([tagsPerDevice]), path: '', message: `row ${tagsPerDevice + 1}: ${tooManyRows}` })
    return { locate: yamlLocate }
  }
  const foreignList = (await inside(csvFile, trusted)) ? undefined : foreignTagList(csvFile, csv.columns, trusted[0]!, registry[String(value?.driver)])
  if (foreignList !== undefined) {
    errors.add({ ...yamlLocate(['tags']), path: 'tags', message: foreignList })
    parseLocated({ ...value, tags: [{}] }, file, registry, yamlLocate, errors, [], (e) => e.path[0] !== 'tags')
    return { locate: yamlLocate }
  }
  errors.order(csvFile)
  for (const e of csv.errors) errors.add({ file: csvFile, ...e, path: '', message: e.message })
  const locate: Locator = (p, offset) => {
    if (p[0] !== 'tags' || p.length < 2) return yamlLocate(p, offset)
    return { file: csvFile, ...csv.locate(p.slice(1)) }
  }
  const ignored: ConfigError[] = []
  const result = parseDevice({ ...value, tags: csv.rows }, file, registry, ignored, catalog)
  warnings.push(...located(ignored, locate))
  if (result.ok) return { device: result.value, locate }
  // An unknown column is one mistake, reported once at its header cell rather than on every row.
  const columns = new Set<string>()
  for (const e of result.error) {
    const column = e.path.length === 3 && e.message.startsWith('unknown key') ? String(e.path[2]) : undefined
    const header = column === undefined ? undefined : csv.header(column)
    if (column === undefined || header === undefined) errors.addAll([e], locate)
    else if (!columns.has(column)) {
      columns.add(column)
      errors.add({ file: csvFile, ...header, path: '', message: e.message })
    }
  }
  return { locate }
}

function parseLocated(
  value: unknown, file: string, registry: Registry, locate: Locator, errors: Collector, warnings: LocatedError[], keep: (e: ConfigError) => boolean = () => true,
  catalog: TypeCatalog = noTypes,
): { device?: DeviceConfig; locate: Locator } {
  const ignored: ConfigError[] = []
  const result = parseDevice(value, file, registry, ignored, catalog)
  warnings.push(...located(ignored, locate))
  if (result.ok) return { device: result.value, locate }
  errors.addAll(result.error.filter(keep), locate)
  return { locate }
}

function checkAcrossDevices(devices: readonly DeviceConfig[], registry: Registry, locators: Map<string, Locator>, errors: Collector): void {
  const ids = new Map<string, DeviceConfig>()
  for (const device of devices) {
    const first = ids.get(device.deviceId.toLowerCase())
    const locate = locators.get(device.file)!
    if (first === undefined) ids.set(device.deviceId.toLowerCase(), device)
    else {
      const message = `device id '${device.deviceId}' is already used by ${basename(first.file)} (ids are compared ignoring case)`
      errors.add({ ...locate(['device']), path: 'device', message })
    }
  }
  for (const module of new Set(Object.values(registry))) {
    if (module.checkTogether === undefined) continue
    const mine = devices
      .filter((d) => module.kinds.includes(d.driver))
      .map((d) => ({ file: d.file, deviceId: d.deviceId, config: d.driverConfig }))
    if (mine.length === 0) continue
    for (const e of module.checkTogether(mine)) {
      const locate = locators.get(e.file ?? '') ?? locators.get(mine[0].file)!
      errors.addAll([e], locate)
    }
  }
}

/** `refuse`, when given, may turn the document down with a message that replaces all of its errors. */
export async function readYaml(
  file: string, kind: FileKind, errors: Collector, refuse?: (doc: PositionedDocument) => string | undefined,
): Promise<PositionedDocument | undefined> {
  errors.order(file)
  try {
    const text = await readConfigText(file, kind)
    const heavy = parseMemoryRefusal(Buffer.byteLength(text), 'yaml')
    if (heavy !== undefined) {
      errors.add({ file, line: 1, col: 1, path: '', message: heavy })
      return undefined
    }
    const doc = parseYaml(text)
    const refusal = refuse?.(doc)
    if (refusal !== undefined) {
      errors.add({ file, line: 1, col: 1, path: '', message: refusal })
      return undefined
    }
    for (const e of doc.errors) errors.add({ file, line: e.line, col: e.col, path: '', message: e.message })
    return doc
  } catch (cause) {
    errors.add({ file, line: 1, col: 1, path: '', message: `cannot read: ${reason(cause)}` })
    return undefined
  }
}

