/**
 * Files from outside the configuration directory. They may be used (a shared tag list, a device
 * file linked in), but error messages quote cells, keys and column names, so such a file must
 * first look like what it is named as; otherwise it is refused with a message that quotes
 * nothing of it, and a `tags:` pointing at /etc/shadow cannot print its lines.
 */
import { realpath } from 'node:fs/promises'
import { resolve, sep } from 'node:path'
import { commonTagKeys, deviceKeys, type Registry } from './device.js'
import type { PositionedDocument } from './positions.js'

/** Whether `file`, symbolic links followed, lies inside one of `dirs`. */
export async function inside(file: string, dirs: readonly string[]): Promise<boolean> {
  const real = await realpath(file).catch(() => resolve(file))
  for (const dir of dirs) {
    const base = await realpath(dir).catch(() => resolve(dir))
    if (real.startsWith(base + sep)) return true
  }
  return false
}

/** A tag list from outside looks like one when its header row names only tag keys, `name` among them. */
export function foreignTagList(csvFile: string, columns: readonly string[], configDir: string, module: Registry[string] | undefined): string | undefined {
  if (module === undefined) return `tag list ${csvFile} is outside the configuration directory ${configDir}; it is checked once the driver is known`
  const driverKeys = Object.keys(module.schema.tagProperties)
  const keys: readonly string[] = [...commonTagKeys, ...driverKeys]
  if (columns.includes('name') && columns.every((c) => keys.includes(c))) return undefined
  return `tag list ${csvFile} is outside the configuration directory ${configDir} and its first row is not a header of tag keys ` +
    `(such as ${['name', ...driverKeys.slice(0, 2)].join(',')}); its content is not shown`
}

/** A device file from outside looks like one when it parses as a map of device keys, `device` among them. */
export function foreignDevice(file: string, configDir: string, doc: PositionedDocument): string | undefined {
  const value = doc.value
  const keys = typeof value === 'object' && value !== null && !Array.isArray(value) ? Object.keys(value) : []
  const known: readonly string[] = deviceKeys
  if (doc.errors.length === 0 && keys.includes('device') && keys.every((k) => known.includes(k))) return undefined
  return `${file} is outside the configuration directory ${configDir} and is not a device file (a map of ${deviceKeys.join(', ')}); its content is not shown`
}
