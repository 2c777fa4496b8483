/**
 * Reads gateway.yaml, every device file and every CSV tag list, runs the pure parsers over them,
 * and turns each problem's path back into `file:line:col`. All problems of all files are
 * reported together, in file order then line order, so one `validate` run shows everything.
 */
import { dirname, resolve } from 'node:path'
import { drivers } from '../../drivers/registry.js'
import type { ConfigError, Result } from '../model/result.js'
import { fail, ok } from '../model/result.js'
import { defaults } from './defaults.js'
import type { Registry } from './device.js'
import { loadDevices, readYaml } from './load-devices.js'
import { loadTypes } from './load-types.js'
import { Collector, formatPath, located, type LocatedError, type Locator } from './located.js'
import { natsIdError } from './nats.js'
import { readNatsSecret } from './nats-secrets.js'
import { parseGateway } from './parse.js'
import type { Position } from './positions.js'
import { readableByOthers, readConfigFile, readConfigText, reason } from './read-file.js'
import { readHttpTls } from './http-tls.js'
import type { GatewayConfig, NatsConfig } from './types.js'

export { formatError, formatPath, formatWarning, type LocatedError } from './located.js'
export { loadDevices } from './load-devices.js'

/**
 * Loads gateway.yaml and the devices it points at; never throws for anything a user wrote.
 * What loads but should be fixed (secrets readable by others, keys the chosen mode or driver
 * ignores) is added to `warnings`.
 */
export async function loadConfig(file: string, registry: Registry = drivers, warnings: LocatedError[] = []): Promise<Result<GatewayConfig, LocatedError[]>> {
  const path = resolve(file)
  const errors = new Collector()
  const doc = await readYaml(path, 'gateway', errors)
  if (doc === undefined) return fail(errors.sorted())
  const locate: Locator = (p) => ({ file: path, ...doc.locate(p) })
  const ignored: ConfigError[] = []
  const parsed = doc.errors.length === 0 ? parseGateway(doc.value, path, ignored) : undefined
  if (parsed !== undefined && !parsed.ok) errors.addAll(parsed.error, locate)
  warnings.push(...located(ignored, locate))

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

  const httpAuth = gateway?.config.http?.auth
  let httpSecret: string | undefined
  if (httpAuth !== undefined) {
    const key = httpAuth.kind === 'token' ? 'tokenFile' : 'passwordFile'
    const where = { ...locate(['http', 'auth', key]), path: `http.auth.${key}` }
    httpSecret = await readConfigText(httpAuth.file, httpAuth.kind === 'token' ? 'token' : 'password').then((text) => text.replace(/\r?\n$/, ''), (cause) => {
      errors.add({ ...where, message: `cannot read ${httpAuth.file}: ${reason(cause)}` })
      return undefined
    })
    if (httpSecret === '') errors.add({ ...where, message: `${httpAuth.file} is empty` })
    const mode = httpSecret === undefined ? undefined : await readableByOthers(httpAuth.file)
    if (mode !== undefined) warnings.push({ ...where, message: `secret file ${httpAuth.file} can be read by its group or others (mode ${mode}); run chmod 600 ${httpAuth.file}` })
  }

  const httpTls = gateway?.config.http?.tls === undefined ? undefined : await readHttpTls(gateway.config.http.tls, locate, errors, warnings)

  // With gateway.yaml broken, the device files are still checked: all problems at once.
  const written = (doc.value as { devices?: unknown } | null)?.devices
  const devicesDir = gateway?.config.devicesDir ?? resolve(dirname(path), typeof written === 'string' ? written : defaults.devicesDir)
  const catalog = await loadTypes(resolve(dirname(path), 'types'), errors)
  const devices = await loadDevices(devicesDir, registry, {
    catalog,
    named: { ...locate(['devices']), path: 'devices' }, exclude: path, trusted: [dirname(path), devicesDir], warnings,
    ...(natsChosen(doc.value) ? { idError: natsIdError } : {}),
    ...(gateway === undefined ? {} : { tagsPerDevice: gateway.config.limits?.tagsPerDevice }),
  })
  if (!devices.ok) errors.merge(devices.error)
  if (gateway === undefined || !devices.ok || errors.count > 0) return fail(errors.sorted())

  const { mqtt, nats } = gateway.config.upstream
  const http = gateway.config.http
  const withSecret = httpSecret === undefined || http?.auth === undefined ? http : { ...http, auth: { ...http.auth, secret: httpSecret } }
  const config = withSecret === undefined ? gateway.config : { ...gateway.config, http: httpTls === undefined ? withSecret : { ...withSecret, tls: httpTls } }
  if (nats !== undefined) return ok({ ...config, upstream: { nats: natsAuth === undefined ? nats : { ...nats, auth: natsAuth } }, devices: devices.value })
  return ok({
    ...config,
    upstream: { mqtt: password === undefined ? mqtt : { ...mqtt, password } },
    devices: devices.value,
  })
}

/** upstream.nats is written (device ids are then checked for NATS even while gateway.yaml has other errors). */
function natsChosen(value: unknown): boolean {
  const upstream = (value as { upstream?: unknown } | null)?.upstream
  return typeof upstream === 'object' && upstream !== null && (upstream as { nats?: unknown }).nats != null
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

async function mustRead(file: string, at: Position & { file: string }, key: string, errors: Collector): Promise<void> {
  try {
    await readConfigFile(file, 'tls')
  } catch (cause) {
    errors.add({ ...at, path: `upstream.${key}`, message: `cannot read ${file}: ${reason(cause)}` })
  }
}
