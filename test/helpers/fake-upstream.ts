import type { Log, LogFields } from '../../gateway/model/log.js'
import { decodePayload } from '../../gateway/sparkplug/codec.js'
import type { Payload } from '../../gateway/sparkplug/payload.js'
import { UpstreamError, type Message, type Upstream, type UpstreamEvent } from '../../gateway/upstream/upstream.js'
import { Collection } from './collection.js'

/** One thing the pump did to the upstream, in order: a CONNECT (with its will), a publish, a disconnect. */
export type UpstreamCall =
  | { readonly kind: 'connect'; readonly server: number; readonly will: Message; readonly subscribe: readonly string[] }
  | { readonly kind: 'publish'; readonly session: number; readonly message: Message }
  | { readonly kind: 'disconnect'; readonly session: number; readonly final: Message | null }

/**
 * An Upstream without a network, for driving the pump in unit tests. It behaves as the MQTT
 * upstream documents: `onConnectSent` is called before `connect` resolves, publishes fail once
 * the session is down, and `down` is emitted only for a session the test drops.
 */
export class FakeUpstream implements Upstream {
  readonly calls = new Collection<UpstreamCall>((items) => `calls: ${items.map(describe).join(', ') || 'none'}`)
  /** Servers whose next connect attempt fails before a CONNECT is written. */
  readonly unreachable = new Set<number>()
  private listener: (event: UpstreamEvent) => void = () => {}
  private session = 0
  private up = false

  constructor(readonly servers: readonly string[] = ['mqtt://first:1883']) {}

  async connect(opts: { server: number; will: Message; subscribe: readonly string[]; onConnectSent?: () => void }): Promise<void> {
    if (this.unreachable.delete(opts.server)) throw new UpstreamError('unreachable', `${this.servers[opts.server]} is unreachable`)
    opts.onConnectSent?.()
    this.session++
    this.up = true
    this.calls.push({ kind: 'connect', server: opts.server, will: opts.will, subscribe: opts.subscribe })
  }

  async publish(message: Message): Promise<void> {
    if (!this.up) throw new UpstreamError('closed', 'session is down')
    this.calls.push({ kind: 'publish', session: this.session, message })
  }

  async disconnect(final?: Message): Promise<void> {
    if (!this.up) return
    this.up = false
    this.calls.push({ kind: 'disconnect', session: this.session, final: final ?? null })
  }

  onEvent(listener: (event: UpstreamEvent) => void): void {
    this.listener = listener
  }

  /** The connection is lost (the broker went away): publishes fail and the pump hears `down`. */
  drop(): void {
    this.up = false
    this.listener({ type: 'down', error: new Error('connection reset') })
  }

  /** A message arrives on a subscribed topic (a command, a STATE). */
  deliver(topic: string, payload: Uint8Array, retain = false): void {
    this.listener({ type: 'message', topic, payload, retain })
  }

  connects(): Extract<UpstreamCall, { kind: 'connect' }>[] {
    return this.calls.items.filter((c) => c.kind === 'connect')
  }

  /** Every publish so far with its topic's message type (NBIRTH, DDATA, ...) and decoded payload. */
  published(): { session: number; type: string; topic: string; payload: Payload; qos: number }[] {
    return this.calls.items.flatMap((c) =>
      c.kind === 'publish' ? [{ session: c.session, type: messageType(c.message.topic), topic: c.message.topic, payload: decodePayload(c.message.payload), qos: c.message.qos }] : [],
    )
  }

  waitForPublish(type: string, count: number, timeoutMs = 5000): Promise<UpstreamCall[]> {
    return this.calls.waitForCount((c) => c.kind === 'publish' && messageType(c.message.topic) === type, count, timeoutMs)
  }
}

/** bdSeq carried by an NBIRTH or NDEATH payload. */
export function bdSeqOf(payload: Payload): bigint | number | undefined {
  const metric = payload.metrics.find((m) => m.name === 'bdSeq')
  return metric?.value as bigint | number | undefined
}

export function messageType(topic: string): string {
  return topic.split('/')[2] ?? ''
}

function describe(call: UpstreamCall): string {
  if (call.kind === 'connect') return `connect(${call.server})`
  if (call.kind === 'publish') return `${messageType(call.message.topic)}#${call.session}`
  return `disconnect#${call.session}`
}

/** A Log that keeps its lines, so a test can wait for one. */
export function recordingLog(lines = new Collection<{ level: string; message: string; fields: LogFields }>()): Log & { lines: typeof lines } {
  const make = (bound: LogFields): Log & { lines: typeof lines } => {
    const at = (level: string) => (message: string, fields: LogFields = {}) => lines.push({ level, message, fields: { ...bound, ...fields } })
    return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: (fields) => make({ ...bound, ...fields }), lines }
  }
  return make({})
}
