import type { Log, LogFields } from '../../gateway/model/log.js'
import { decodePayload } from '../../gateway/sparkplug/codec.js'
import type { Payload } from '../../gateway/sparkplug/payload.js'
import { parseTopic, topicOf, type NodeAddress } from '../../gateway/base/topics.js'
import { UpstreamError, type ConnectOptions, type Message, type Upstream, type UpstreamCapabilities, type UpstreamEvent } from '../../gateway/upstream/upstream.js'
import { Collection } from './collection.js'

/** A message as the fake saw it, with its address spelled as the MQTT topic for readable tests. */
export type SeenMessage = Message & { readonly topic: string }

/** One thing the pump did to the upstream, in order: a CONNECT (with its will), a publish, a disconnect. */
export type UpstreamCall =
  | { readonly kind: 'connect'; readonly server: number; readonly will: SeenMessage; readonly node: NodeAddress; readonly primaryHostId: string | null }
  | { readonly kind: 'publish'; readonly session: number; readonly message: SeenMessage }
  | { readonly kind: 'disconnect'; readonly session: number; readonly final: SeenMessage | null }

/** An MQTT broker at QoS 1: a will, confirmed data, retained STATE, no replies. */
export const mqttLike: UpstreamCapabilities = {
  will: true,
  confirmsData: true,
  replayWindowMs: 45_000,
  deduplicates: false,
  retainedState: true,
  requestReply: false,
  heartbeatMs: 0,
  maxInFlight: 64,
}

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
  /** The most publishes that were waiting for confirmation at once. */
  maxHeld = 0
  /** While set, a publish it returns an error for is recorded, then refused with that error (a server saying no). */
  refuse: ((message: SeenMessage) => Error | undefined) | null = null
  /** While set, publishes are recorded but not confirmed until `release()`. */
  private held: { confirm: () => void; fail: (error: Error) => void }[] | null = null

  readonly capabilities: UpstreamCapabilities

  constructor(
    readonly servers: readonly string[] = ['mqtt://first:1883'],
    capabilities: Partial<UpstreamCapabilities> = {},
  ) {
    this.capabilities = { ...mqttLike, ...capabilities }
  }

  async connect(opts: ConnectOptions): Promise<void> {
    if (this.unreachable.delete(opts.server)) throw new UpstreamError('unreachable', `${this.servers[opts.server]} is unreachable`)
    opts.onConnectSent?.()
    this.session++
    this.up = true
    this.calls.push({ kind: 'connect', server: opts.server, will: seen(opts.will), node: opts.node, primaryHostId: opts.primaryHostId })
  }

  async publish(message: Message): Promise<void> {
    if (!this.up) throw new UpstreamError('closed', 'session is down')
    this.calls.push({ kind: 'publish', session: this.session, message: seen(message) })
    const refusal = this.refuse?.(seen(message))
    if (refusal !== undefined) throw refusal
    if (this.held === null) return
    const held = this.held
    await new Promise<void>((confirm, fail) => {
      held.push({ confirm, fail })
      this.maxHeld = Math.max(this.maxHeld, held.length)
    })
  }

  /** From now on publishes wait for `release()`, like a server slow to confirm. */
  hold(): void {
    this.held = []
  }

  /** Confirms the `count` oldest held publishes (all by default); with no count, stops holding. */
  release(count?: number): void {
    const held = this.held ?? []
    for (const publish of held.splice(0, count ?? held.length)) publish.confirm()
    if (count === undefined) this.held = null
  }

  async disconnect(final?: Message): Promise<void> {
    if (!this.up) return
    this.up = false
    this.calls.push({ kind: 'disconnect', session: this.session, final: final === undefined ? null : seen(final) })
  }

  onEvent(listener: (event: UpstreamEvent) => void): void {
    this.listener = listener
  }

  /** The connection is lost (the broker went away): publishes fail and the pump hears `down`. */
  drop(): void {
    this.up = false
    for (const publish of this.held?.splice(0) ?? []) publish.fail(new UpstreamError('closed', 'session is down'))
    this.listener({ type: 'down', error: new Error('connection reset') })
  }

  /** A message arrives on a subscribed topic (a command, a STATE); `reply` when it was sent as a request. */
  deliver(topic: string, payload: Uint8Array, retain = false, reply?: (body: Uint8Array) => void): void {
    const address = parseTopic(topic)
    if (address === null) throw new Error(`not a Sparkplug topic: ${topic}`)
    this.listener({ type: 'message', address, payload, retain, origin: topic, ...(reply === undefined ? {} : { reply }) })
  }

  connects(): Extract<UpstreamCall, { kind: 'connect' }>[] {
    return this.calls.items.filter((c) => c.kind === 'connect')
  }

  /** Every publish so far with its message type (NBIRTH, DDATA, ...), kind, message id and decoded payload. */
  published(): { session: number; type: string; topic: string; payload: Payload; kind: Message['kind']; id: string | undefined }[] {
    return this.calls.items.flatMap((c) =>
      c.kind === 'publish' ? [{ session: c.session, type: messageType(c.message.topic), topic: c.message.topic, payload: decodePayload(c.message.payload), kind: c.message.kind, id: c.message.id }] : [],
    )
  }

  waitForPublish(type: string, count: number, timeoutMs = 5000): Promise<UpstreamCall[]> {
    return this.calls.waitForCount((c) => c.kind === 'publish' && messageType(c.message.topic) === type, count, timeoutMs)
  }
}

function seen(message: Message): SeenMessage {
  return { ...message, topic: topicOf(message.address) }
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
