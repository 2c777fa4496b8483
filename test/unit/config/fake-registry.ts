/**
 * A small driver module for config tests: the loader must work with whatever drivers the registry
 * holds, so these tests pin its behaviour with a driver whose rules are visible right here.
 */
import type { Driver, DriverModule } from '../../../drivers/driver.js'
import type { ConfigError } from '../../../gateway/model/result.js'
import { fail, ok } from '../../../gateway/model/result.js'

export interface FakeConfig {
  readonly host: string
  readonly unitId: number
  readonly points: readonly { readonly name: string; readonly address: string }[]
}

const idle: Driver = {
  points: [],
  open: async () => {},
  read: async () => [],
  write: async () => {},
  close: async () => {},
}

export const fakeModule: DriverModule<FakeConfig> = {
  kinds: ['fake-tcp', 'fake-rtu'],
  schema: {
    connection: { type: 'object', properties: { host: { type: 'string' }, unitId: { type: 'integer' } } },
    tagProperties: { address: { type: 'string' }, type: { enum: ['int16', 'float32'] } },
  },
  parse(raw, at) {
    const errors: ConfigError[] = []
    const connection = (raw.connection ?? {}) as Record<string, unknown>
    if (typeof connection.host !== 'string') errors.push({ path: [...at, 'connection', 'host'], message: 'expected a host name' })
    const points = raw.tags.map((tag, i) => {
      const address = tag.address
      if (typeof address !== 'string' && typeof address !== 'number') errors.push({ path: [...at, 'tags', i, 'address'], message: 'expected an address' })
      return { name: String(tag.name), address: String(address) }
    })
    if (errors.length > 0) return fail(errors)
    return ok({ host: connection.host as string, unitId: typeof connection.unitId === 'number' ? connection.unitId : 1, points })
  },
  create: () => idle,
  checkTogether(devices) {
    const seen = new Set<string>()
    return devices.flatMap((d) => {
      const key = `${d.config.host}/${d.config.unitId}`
      if (!seen.has(key)) return (seen.add(key), [])
      return [{ file: d.file, path: ['connection', 'unitId'], message: `unit ${d.config.unitId} on ${d.config.host} is used by another device` }]
    })
  },
}

export const fakeRegistry = { 'fake-tcp': fakeModule, 'fake-rtu': fakeModule }
