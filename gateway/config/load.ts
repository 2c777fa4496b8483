/**
 * Reads gateway.yaml, every device file and every CSV tag list, runs the pure parsers over them,
 * and turns each problem's path back into `file:line:col`. All problems of all files are
 * reported together, in file order then line order, so one `validate` run shows everything.
 */
import { readdir, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { drivers } from '../../drivers/registry.js'
import type { ConfigError, ConfigPath, Result } from '../model/result.js'
import { fail, ok } from '../model/result.js'
import { parseCsv } from './csv.js'
import { defaults } from './defaults.js'
import { parseDevice, type Registry } from './device.js'
import { foreignDevice, foreignTagList, inside } from './foreign.js'
import { natsIdError } from './nats.js'
import { readNatsSecret } from './nats-secrets.js'
import { parseGateway } from './parse.js'
import { parseYaml, type Position, type PositionedDocument } from './positions.js'
import { readConfigFile, readConfigText, reason, type FileKind } from './read-file.js'
import type { DeviceConfig, GatewayConfig, NatsConfig } from './types.js'

/** A problem with the place it was written. */
export interface LocatedError {
  /** Absolute path of the file. */
  readonly file: string
  /** 1-based line and column. */
  readonly line: number
  readonly col: number
  /** Where inside the document, as `upstream.mqtt.servers[1]`; empty for whole-file problems. */
  readonly path: string
  readonly message: string
}

type Locator = (path: ConfigPath) => Position & { readonly file: string }

const deviceFile = /\.(ya?ml|json)$/i

/** `file:line:col: path: message`, the form editors and CI logs link to. */
export function formatError(e: LocatedError): string {
  return `${e.file}:${e.line}:${e.col}: ${e.path === '' ? '' : `${e.path}: `}${e.message}`
}

/** `file:line:col: warning: path: message`, for what loads but should be fixed. */
export function formatWarning(e: LocatedError): string {
  return `${e.file}:${e.line}:${e.col}: warning: ${e.path === '' ? '' : `${e.path}: `}${e.message}`
}

/** `['tags', 3, 'address']` -> `tags[3].address`. */
export function formatPath(path: ConfigPath): string {
  return path.reduce<string>((text, step) => (typeof step === 'number' ? `${text}[${step}]` : text === '' ? step : `${text}.${step}`), '')
}

/**
 * Loads gateway.yaml and the devices it points at; never throws for anything a user wrote.
 * What loads but should be fixed (secrets readable by others) is added to `warnings`.
 */
export async function loadConfig(file: string, registry: Registry = drivers, warnings: LocatedError[] = []): Promise<Result<GatewayConfig, LocatedError[]>> {
  const path = resolve(file)
  const errors = new Collector()
  const doc = await readYaml(path, 'gateway', errors)
  if (doc === undefined) return fail(errors.sorted())
  const locate: Locator = (p) => ({ file: path, ...doc.locate(p) })
  const parsed = doc.errors.length === 0 ? parseGateway(doc.value, path) : undefined
  if (parsed !== undefined && !parsed.ok) errors.addAll(parsed.error, locate)

  let password: string | undefined
  const gateway = parsed?.ok ? parsed.value : undefined
  if (gateway?.passwordFile !== undefined) {
    password = await readPassword(gateway.passwordFile, locate(['upstream', 'mqtt', 'passwordFile']), errors)
    const where = { ...locate(['upstream', 'mqtt', 'passwordFile']), path: 'upstream.mqtt.passwordFile' }
    const mode = await readableByOthers(gateway.passwordFile)
    if (password !== undefined && mode !== undefined) {
      warnings.push({ ...where, message: `password file ${gateway.passwordFile} can be read by its group or others (mode ${mode}); run chmod 600 ${gateway.passwordFile}` })
    }
  }
  const inUrl = gateway?.config.upstream.mqtt?.serverLogins?.findIndex((l) => l?.password !== undefined) ?? -1
  const yamlMode = inUrl < 0 ? undefined : await readableByOthers(path)
  if (yamlMode !== undefined) {
    const where = { ...locate(['upstream', 'mqtt', 'servers', inUrl]), path: `upstream.mqtt.servers[${inUrl}]` }
    const message = `this URL holds a password and ${path} can be read by its group or others (mode ${yamlMode}); move the password to passwordFile, or run chmod 600 ${path}`
    warnings.push({ ...where, message })
  }
  const kind = gateway?.config.upstream.nats ? 'nats' : 'mqtt'
  for (const key of ['ca', 'cert', 'key'] as const) {
    const tlsFile = gateway?.config.upstream[kind]?.tls?.[key]
    if (tlsFile !== undefined) await mustRead(tlsFile, locate(['upstream', kind, 'tls', key]), `${kind}.tls.${key}`, errors)
  }
  let natsAuth: NatsConfig['auth']
  const secret = gateway?.natsSecret
  if (secret !== undefined) {
    const at = ['upstream', 'nats', 'auth', secret.key]
    const where = { ...locate(at), path: formatPath(at) }
    const read = await readNatsSecret(secret)
    if ('error' in read) errors.add({ ...where, message: read.error })
    else natsAuth = read.auth
    const mode = 'error' in read ? undefined : await readableByOthers(secret.file)
    if (mode !== undefined) warnings.push({ ...where, message: `secret file ${secret.file} can be read by its group or others (mode ${mode}); run chmod 600 ${secret.file}` })
  }

  // With gateway.yaml broken, the device files are still checked: all problems at once.
  const written = (doc.value as { devices?: unknown } | null)?.devices
  const devicesDir = gateway?.config.devicesDir ?? resolve(dirname(path), typeof written === 'string' ? written : defaults.devicesDir)
  const devices = await loadDevices(devicesDir, registry, {
    named: { ...locate(['devices']), path: 'devices' }, exclude: path, trusted: [dirname(path), devicesDir], warnings,
    ...(natsChosen(doc.value) ? { idError: natsIdError } : {}),
  })
  if (!devices.ok) errors.merge(devices.error)
  if (gateway === undefined || !devices.ok || errors.count > 0) return fail(errors.sorted())

  const { mqtt, nats } = gateway.config.upstream
  if (nats !== undefined) return ok({ ...gateway.config, upstream: { nats: natsAuth === undefined ? nats : { ...nats, auth: natsAuth } }, devices: devices.value })
  return ok({
    ...gateway.config,
    upstream: { mqtt: password === undefined ? mqtt : { ...mqtt, password } },
    devices: devices.value,
  })
}

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
    /** Where what loads but should be fixed (a key the device's mode ignores) is added. */
    warnings?: LocatedError[]
  } = {},
): Promise<Result<DeviceConfig[], LocatedError[]>> {
  const errors = new Collector()
  const warned = new Collector()
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
    const loaded = await loadDevice(file, registry, options.trusted ?? [dir], errors, warned)
    if (loaded === undefined) continue
    locators.set(file, loaded.locate)
    if (loaded.device !== undefined) devices.push(loaded.device)
  }
  checkAcrossDevices(devices, registry, locators, errors)
  options.warnings?.push(...warned.sorted())
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
  file: string, registry: Registry, trusted: readonly string[], errors: Collector, warned: Collector,
): Promise<{ device?: DeviceConfig; locate: Locator } | undefined> {
  const foreign = !(await inside(file, trusted))
  const doc = await readYaml(file, 'device', errors, foreign ? (d) => foreignDevice(file, trusted[0]!, d) : undefined)
  if (doc === undefined) return undefined
  const yamlLocate: Locator = (p) => ({ file, ...doc.locate(p) })
  if (doc.errors.length > 0) return { locate: yamlLocate }

  const value = doc.value as Record<string, unknown> | null
  const tags = value?.tags
  if (typeof tags !== 'string') return parseLocated(value, file, registry, yamlLocate, errors, undefined, warned)

  const csvFile = resolve(dirname(file), tags)
  let text: string
  try {
    text = await readConfigText(csvFile, 'tagList')
  } catch (cause) {
    errors.add({ ...yamlLocate(['tags']), path: 'tags', message: `cannot read tag list ${csvFile}: ${reason(cause)}` })
    // The rest of the file is still checked; its tag errors would only repeat this one.
    parseLocated({ ...value, tags: [{}] }, file, registry, yamlLocate, errors, (e) => e.path[0] !== 'tags')
    return { locate: yamlLocate }
  }
  const csv = parseCsv(text)
  const foreignList = (await inside(csvFile, trusted)) ? undefined : foreignTagList(csvFile, csv.columns, trusted[0]!, registry[String(value?.driver)])
  if (foreignList !== undefined) {
    errors.add({ ...yamlLocate(['tags']), path: 'tags', message: foreignList })
    parseLocated({ ...value, tags: [{}] }, file, registry, yamlLocate, errors, (e) => e.path[0] !== 'tags')
    return { locate: yamlLocate }
  }
  errors.order(csvFile)
  for (const e of csv.errors) errors.add({ file: csvFile, ...e, path: '', message: e.message })
  const locate: Locator = (p) => {
    if (p[0] !== 'tags' || p.length < 2) return yamlLocate(p)
    return { file: csvFile, ...csv.locate(p.slice(1)) }
  }
  const warnings: ConfigError[] = []
  const result = parseDevice({ ...value, tags: csv.rows }, file, registry, warnings)
  if (result.ok) {
    warned.addAll(warnings, locate)
    return { device: result.value, locate }
  }
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
  value: unknown, file: string, registry: Registry, locate: Locator, errors: Collector, keep: (e: ConfigError) => boolean = () => true, warned?: Collector,
): { device?: DeviceConfig; locate: Locator } {
  const warnings: ConfigError[] = []
  const result = parseDevice(value, file, registry, warnings)
  if (result.ok) {
    warned?.addAll(warnings, locate)
    return { device: result.value, locate }
  }
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

/** upstream.nats is written (device ids are then checked for NATS even while gateway.yaml has other errors). */
function natsChosen(value: unknown): boolean {
  const upstream = (value as { upstream?: unknown } | null)?.upstream
  return typeof upstream === 'object' && upstream !== null && (upstream as { nats?: unknown }).nats != null
}

/** `refuse`, when given, may turn the document down with a message that replaces all of its errors. */
async function readYaml(
  file: string, kind: FileKind, errors: Collector, refuse?: (doc: PositionedDocument) => string | undefined,
): Promise<PositionedDocument | undefined> {
  errors.order(file)
  try {
    const doc = parseYaml(await readConfigText(file, kind))
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

async function readPassword(file: string, at: Position & { file: string }, errors: Collector): Promise<string | undefined> {
  const where = { ...at, path: 'upstream.mqtt.passwordFile' }
  try {
    // Editors and `echo` add a final newline that is not part of the password.
    const password = (await readConfigText(file, 'password')).replace(/\r?\n$/, '')
    if (password === '') errors.add({ ...where, message: `password file ${file} is empty` })
    return password
  } catch (cause) {
    errors.add({ ...where, message: `cannot read password file ${file}: ${reason(cause)}` })
    return undefined
  }
}

/** The file's permission bits as `0644` when its group or others may read it. */
async function readableByOthers(file: string): Promise<string | undefined> {
  const mode = await stat(file).then((s) => s.mode & 0o777, () => 0)
  return (mode & 0o044) === 0 ? undefined : `0${mode.toString(8)}`
}

async function mustRead(file: string, at: Position & { file: string }, key: string, errors: Collector): Promise<void> {
  try {
    await readConfigFile(file, 'tls')
  } catch (cause) {
    errors.add({ ...at, path: `upstream.${key}`, message: `cannot read ${file}: ${reason(cause)}` })
  }
}

/** Errors of several files, deduplicated, sorted by the order the files were read, then position. */
class Collector {
  private readonly errors: LocatedError[] = []
  private readonly seen = new Set<string>()
  private readonly files: string[] = []

  get count(): number {
    return this.errors.length
  }

  order(file: string): void {
    if (!this.files.includes(file)) this.files.push(file)
  }

  add(e: LocatedError): void {
    this.order(e.file)
    const key = `${e.file}:${e.line}:${e.col}:${e.path}:${e.message}`
    if (this.seen.has(key)) return
    this.seen.add(key)
    this.errors.push(e)
  }

  addAll(list: readonly ConfigError[], locate: Locator): void {
    for (const e of list) {
      const at = e.file !== undefined && e.line !== undefined ? { file: e.file, line: e.line, col: e.col ?? 1 } : locate(e.path)
      this.add({ ...at, path: formatPath(e.path), message: e.message })
    }
  }

  merge(list: readonly LocatedError[]): void {
    for (const e of list) this.add(e)
  }

  sorted(): LocatedError[] {
    const rank = (e: LocatedError) => this.files.indexOf(e.file)
    return [...this.errors].sort((a, b) => rank(a) - rank(b) || a.line - b.line || a.col - b.col)
  }
}
