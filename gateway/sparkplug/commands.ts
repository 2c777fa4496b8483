import { defaults } from '../config/defaults.js'
import type { CommandsConfig } from '../config/types.js'
import type { Value } from '../model/value.js'
import type { TagDef } from '../normalise/tag-def.js'
import { describe, writeValue } from './command-value.js'
import { NEXT_SERVER, REBIRTH, REBOOT, SCAN_RATE } from '../node/node-metrics.js'
import { decodePayload } from './codec.js'
import { MAX_TEMPLATE_DEPTH } from '../config/template-types.js'
import type { Payload, PayloadMetric, Template } from './payload.js'
import type { DeclaredInstance, NodeView } from '../node/node-state.js'

/** What an NCMD or DCMD asks of the gateway, once validated. */
export type Command =
  | { readonly type: 'rebirth' }
  | { readonly type: 'reboot' }
  | { readonly type: 'next-server' }
  | { readonly type: 'scan-rate'; readonly ms: number }
  | { readonly type: 'write'; readonly deviceId: string; readonly tag: TagDef; readonly value: Value }

/** A metric of a command that was not applied, and why (for the audit line and a NATS reply). */
export interface Refusal {
  readonly metric: string
  readonly reason: string
}

/** What became of one metric of a command: applied (with the value read back, where there is one) or refused and why. */
export interface CommandOutcome {
  readonly metric: string
  readonly applied: boolean
  readonly reason?: string
  readonly value?: Value | null
}

/** The part of `commands:` that decides what a command may ask. */
export type CommandPolicy = Pick<CommandsConfig, 'writes' | 'reboot' | 'scanRate' | 'scanRateMinMs' | 'scanRateMaxMs' | 'maxPayloadBytes' | 'maxMetrics'>

/**
 * An NCMD (`deviceId` null) or DCMD as it came off the wire -> commands and refusals. Retained
 * commands are stale (a host publishes them live); bytes that are not a Sparkplug payload, or one
 * without metrics, are refused whole, and so are commands over the size or metric count limits
 * (one refusal, so one audit line, however large the command) and DCMDs while writes are off.
 */
export function receiveCommands(
  state: NodeView,
  deviceId: string | null,
  bytes: Uint8Array,
  retained: boolean,
  policy: CommandPolicy = defaults.commands,
): { commands: Command[]; refused: Refusal[] } {
  const refuse = (reason: string) => ({ commands: [], refused: [{ metric: '*', reason }] })
  if (retained) return refuse('retained command ignored (stale)')
  if (deviceId !== null && !state.deviceIds.includes(deviceId)) return refuse(`unknown device ${deviceId}`)
  // Checked before decoding: decoding and auditing a huge command is the cost the limit prevents.
  if (bytes.length > policy.maxPayloadBytes) {
    return refuse(`payload of ${bytes.length} bytes is over the limit of ${policy.maxPayloadBytes} bytes (commands.maxPayloadSize); nothing applied`)
  }
  if (deviceId !== null && !policy.writes) return refuse('writes are disabled by commands.writes: false in gateway.yaml')
  let payload: Payload
  try {
    payload = decodePayload(bytes)
  } catch (error) {
    return refuse(`not a Sparkplug B payload (${bytes.length} bytes): ${(error as Error).message}`)
  }
  if (payload.metrics.length === 0) return refuse('command carries no metrics')
  if (payload.metrics.length > policy.maxMetrics) {
    return refuse(`${payload.metrics.length} metrics in one command, over the limit of ${policy.maxMetrics} (commands.maxMetrics); nothing applied`)
  }
  return parseCommands(state, deviceId, payload, policy)
}

/**
 * Turns a decoded NCMD (`deviceId` null) or DCMD payload into commands, refusing what is unknown,
 * read-only, mistyped or out of range. Never throws: a host's mistake must not stop the gateway.
 */
export function parseCommands(state: NodeView, deviceId: string | null, payload: Payload, policy: CommandPolicy = defaults.commands): { commands: Command[]; refused: Refusal[] } {
  const commands: Command[] = []
  const refused: Refusal[] = []
  for (const metric of payload.metrics) {
    const label = metric.name ?? (metric.alias !== undefined ? `alias ${metric.alias}` : '(no name)')
    const key = metric.name ?? metric.alias
    const instance = deviceId === null || key === undefined ? undefined : state.lookupInstance(deviceId, key)
    if (instance !== undefined) {
      const writes = memberWrites(deviceId!, instance, metric, policy.maxMetrics)
      commands.push(...writes.commands)
      refused.push(...writes.refused)
      continue
    }
    const declared = key === undefined ? undefined : state.lookup(deviceId, key)
    if (declared === undefined) {
      refused.push({ metric: label, reason: deviceId === null ? 'unknown node metric' : `unknown metric of device ${deviceId}` })
      continue
    }
    const result = deviceId === null ? nodeCommand(declared.name, metric, policy) : writeCommand(deviceId, declared.tag, metric)
    if ('reason' in result) refused.push({ metric: declared.name, reason: result.reason })
    else if (result.command !== null) commands.push(result.command)
  }
  return { commands, refused }
}

type Outcome = { command: Command | null } | { reason: string }

function nodeCommand(name: string, metric: PayloadMetric, policy: CommandPolicy): Outcome {
  const value = metric.value
  if (name === REBOOT && !policy.reboot) return { reason: 'Reboot is disabled by commands.reboot: false in gateway.yaml' }
  if (name === SCAN_RATE && !policy.scanRate) return { reason: 'Scan Rate is disabled by commands.scanRate: false in gateway.yaml' }
  if (name === REBIRTH || name === REBOOT || name === NEXT_SERVER) {
    if (typeof value !== 'boolean') return { reason: `expected a Boolean, got ${describe(metric)}` }
    if (!value) return { command: null }
    return { command: { type: name === REBIRTH ? 'rebirth' : name === REBOOT ? 'reboot' : 'next-server' } }
  }
  if (name === SCAN_RATE) {
    const ms = typeof value === 'bigint' ? Number(value) : value
    const { scanRateMinMs: min, scanRateMaxMs: max } = policy
    // 0 is how a host hands the periods back to the tag files, so it is always allowed.
    if (typeof ms !== 'number' || !Number.isInteger(ms) || (ms !== 0 && (ms < min || ms > max))) {
      return { reason: `expected 0 (the configured periods) or a whole number of milliseconds from ${min} to ${max} (commands.scanRateMin, commands.scanRateMax), got ${describe(metric)}` }
    }
    return { command: { type: 'scan-rate', ms } }
  }
  return { reason: 'node metric is read-only' }
}

/**
 * A DCMD to a template instance: its Template value lists the members to write (nested
 * templates for members of nested types), each written like a tag of its own. At most `max`
 * members, as for the metrics of a command.
 */
function memberWrites(deviceId: string, instance: DeclaredInstance, metric: PayloadMetric, max: number): { commands: Command[]; refused: Refusal[] } {
  const commands: Command[] = []
  const refused: Refusal[] = []
  const value = metric.value as Template | undefined
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'Template') {
    return { commands, refused: [{ metric: instance.name, reason: `a template instance is written with a Template value naming its members, got ${describe(metric)}` }] }
  }
  const members: [string, PayloadMetric][] = []
  const walk = (t: Template, prefix: string, depth: number): void => {
    for (const m of t.metrics) {
      if (members.length > max) return
      const path = `${prefix}${m.name ?? ''}`
      if (typeof m.value === 'object' && m.value !== null && (m.value as { kind?: unknown }).kind === 'Template' && depth < MAX_TEMPLATE_DEPTH) walk(m.value as Template, `${path}/`, depth + 1)
      else members.push([path, m])
    }
  }
  walk(value, '', 1)
  if (members.length > max) return { commands, refused: [{ metric: instance.name, reason: `more than ${max} members in one command (commands.maxMetrics); nothing applied` }] }
  if (members.length === 0) return { commands, refused: [{ metric: instance.name, reason: 'the Template value names no member to write' }] }
  for (const [path, m] of members) {
    const declared = instance.members.get(path)
    const name = `${instance.name}/${path}`
    if (declared === undefined) {
      refused.push({ metric: name, reason: `type ${instance.type.name} has no member '${path}'` })
      continue
    }
    const result = writeCommand(deviceId, declared.tag, m)
    if ('reason' in result) refused.push({ metric: declared.name, reason: result.reason })
    else if (result.command !== null) commands.push(result.command)
  }
  return { commands, refused }
}

function writeCommand(deviceId: string, tag: TagDef | undefined, metric: PayloadMetric): Outcome {
  if (tag === undefined || !tag.writable) return { reason: 'tag is not writable' }
  if (metric.isNull || metric.value === undefined) return { reason: 'no value given' }
  const value = writeValue(tag, metric)
  if (!value.ok) return { reason: value.error }
  return { command: { type: 'write', deviceId, tag, value: value.value } }
}
