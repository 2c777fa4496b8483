/**
 * Sparkplug Templates as a host sees them in decoded payloads: an instance's members by path,
 * the next DDATA carrying a member of an instance (by the alias of the device's last birth), and
 * the DCMD metric that writes members of an instance.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Payload, PayloadMetric, Template } from '../../gateway/sparkplug/payload.js'
import type { SparkplugMessage, SparkplugObserver } from './sparkplug-observer.js'

export const templateOf = (m: PayloadMetric | undefined) => m?.value as Template | undefined
export const named = (p: Payload, name: string) => p.metrics.find((m) => m.name === name)

/** A member of a template by its path (`Motor/Current` inside a nested template). */
export function member(t: Template | undefined, path: string): PayloadMetric | undefined {
  const [head, ...rest] = path.split('/')
  const m = t?.metrics.find((x) => x.name === head)
  return rest.length === 0 ? m : member(templateOf(m), rest.join('/'))
}

/** Instances of one device as the observer sees them: the birth's aliases, the next DDATA of a member. */
export function instancesOf(observer: SparkplugObserver, deviceId: string, timeoutMs: number) {
  const lastBirth = () => observer.messages.filter((m) => m.type === 'DBIRTH' && m.deviceId === deviceId).at(-1)!
  const aliasOf = (name: string) => named(lastBirth().payload, name)!.alias!
  return {
    birth: () => observer.waitFor((m) => m.type === 'DBIRTH' && m.deviceId === deviceId, timeoutMs),
    aliasOf,
    /** The instance metric of a DATA payload, found by its alias. */
    instanceIn: (m: SparkplugMessage, name: string) => m.payload.metrics.find((x) => x.alias === aliasOf(name)),
    /** The next DDATA from message index `from` whose instance `name` carries `path` with a value passing `ok`. */
    nextMember(name: string, path: string, from: number, ok: (v: unknown) => boolean): Promise<SparkplugMessage> {
      return observer.waitFor((m) => {
        if (observer.messages.indexOf(m) < from || m.type !== 'DDATA' || m.deviceId !== deviceId) return false
        const value = member(templateOf(m.payload.metrics.find((x) => x.alias === aliasOf(name))), path)?.value
        return value !== undefined && ok(value)
      }, timeoutMs)
    },
  }
}

/** A DCMD metric writing `members` of the instance with `alias`. */
export function instanceWrite(alias: number, templateRef: string | undefined, members: PayloadMetric[]): PayloadMetric {
  const value: Template = { kind: 'Template', isDefinition: false, parameters: [], metrics: members }
  if (templateRef !== undefined) value.templateRef = templateRef
  return { alias, datatype: 'Template', value }
}

/** Writes type files (type name -> YAML) into `types/` of a config directory. */
export function writeTypeFiles(dir: string, types: Readonly<Record<string, string>>): void {
  mkdirSync(join(dir, 'types'), { recursive: true })
  for (const [name, yaml] of Object.entries(types)) writeFileSync(join(dir, 'types', `${name}.yaml`), yaml)
}
