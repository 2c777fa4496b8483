import type { Log } from '../model/log.js'
import type { UpstreamEvent } from '../upstream/upstream.js'
import { receiveCommands, type Command, type CommandOutcome, type CommandPolicy, type Refusal } from '../sparkplug/commands.js'
import type { HostState } from './host-state.js'
import { NEXT_SERVER, REBIRTH } from '../node/node-metrics.js'
import type { NodeView } from '../node/node-state.js'
import type { NodeAddress } from '../base/topics.js'

export interface InboundOptions {
  readonly node: NodeAddress
  readonly state: NodeView
  readonly host: HostState | null
  readonly log: Log
  readonly commandPolicy?: CommandPolicy
  /** A validated command other than rebirth and next-server; resolves when it is applied or refused. */
  readonly onCommand: (command: Command, origin: string) => Promise<CommandOutcome>
  /** A command metric that was refused, for the audit log and the counters. */
  readonly onRefused: (refusal: Refusal, origin: string) => void
  /** A command the pump applied itself (rebirth, next server), for the audit log and the counters. */
  readonly onApplied: (metric: string, origin: string) => void
}

/** What an inbound message asks of the connection lifecycle. */
export interface InboundActions {
  /** The server the message came in on (STATE timestamps are kept per server). */
  server(): number
  rebirth(): void
  nextServer(): void
  /** The primary host's STATE changed. */
  hostChanged(online: boolean): void
}

/**
 * Inbound messages of one node: the primary host's STATE and the node's NCMD/DCMD. Commands are
 * validated and bounded in commands.ts; here they are dispatched, and a command that came as a
 * request is answered with one result per metric once every metric is applied or refused.
 */
export class Inbound {
  constructor(private readonly o: InboundOptions) {}

  receive(event: Extract<UpstreamEvent, { type: 'message' }>, actions: InboundActions): void {
    const address = event.address
    if (address.type === 'STATE') {
      if (event.refused !== undefined) {
        this.o.log.warn('STATE ignored', { origin: event.origin, reason: event.refused })
        return
      }
      const host = this.o.host
      if (host === null || address.hostId !== host.hostId) return
      const state = host.apply(actions.server(), event.payload)
      if (state === null) return
      this.o.log.info(`primary host ${state.online ? 'online' : 'offline'}`, { host: address.hostId })
      actions.hostChanged(state.online)
      return
    }
    if (address.type !== 'NCMD' && address.type !== 'DCMD') return
    if (address.groupId !== this.o.node.groupId || address.edgeNodeId !== this.o.node.edgeNodeId) return
    const outcomes = event.refused === undefined ? this.command(event.origin, address.deviceId, event.payload, event.retain, actions) : this.refuseWhole(event.origin, event.refused)
    const reply = event.reply
    if (reply !== undefined) void outcomes.then((results) => reply(replyBody(results)))
  }

  private refuseWhole(origin: string, reason: string): Promise<CommandOutcome[]> {
    const refusal = { metric: '*', reason }
    this.o.onRefused(refusal, origin)
    return Promise.resolve([{ ...refusal, applied: false }])
  }

  private command(origin: string, deviceId: string | null, bytes: Uint8Array, retained: boolean, actions: InboundActions): Promise<CommandOutcome[]> {
    const { commands, refused } = receiveCommands(this.o.state, deviceId, bytes, retained, this.o.commandPolicy)
    const outcomes: Promise<CommandOutcome>[] = []
    for (const refusal of refused) {
      this.o.onRefused(refusal, origin)
      outcomes.push(Promise.resolve({ metric: refusal.metric, applied: false, reason: refusal.reason }))
    }
    for (const command of commands) {
      if (command.type === 'rebirth' || command.type === 'next-server') {
        const metric = command.type === 'rebirth' ? REBIRTH : NEXT_SERVER
        this.o.onApplied(metric, origin)
        if (command.type === 'rebirth') actions.rebirth()
        else actions.nextServer()
        outcomes.push(Promise.resolve({ metric, applied: true }))
      } else {
        outcomes.push(this.o.onCommand(command, origin))
      }
    }
    return Promise.all(outcomes)
  }
}

/**
 * The JSON a requester gets: `{"results":[{"metric","applied","reason"?,"value"?}]}`, or
 * `{"error":...,"results":[]}` when the command was refused whole (garbage, too large, stale).
 */
export function replyBody(results: readonly CommandOutcome[]): Uint8Array {
  const whole = results.length === 1 && results[0]!.metric === '*' ? results[0]! : null
  const body = whole !== null
    ? { error: whole.reason ?? 'refused', results: [] }
    : { results: results.map((r) => ({ metric: r.metric, applied: r.applied, reason: r.reason, value: r.value })) }
  return new TextEncoder().encode(JSON.stringify(body, jsonValue))
}

// 64-bit values beyond 2^53 do not survive JSON numbers, NaN and Infinity are not JSON: sent as text.
function jsonValue(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<unknown>)
  return value
}
