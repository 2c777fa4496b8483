import type { Log } from '../model/log.js'
import type { Outbox } from '../outbox/outbox.js'
import { Backoff, delay } from '../runtime/backoff.js'
import { Signal } from '../runtime/signal.js'
import type { Message, Upstream, UpstreamEvent } from '../upstream/upstream.js'
import type { BdSeqStore } from './bdseq.js'
import { encodePayload } from './codec.js'
import { receiveCommands, type Command, type CommandPolicy, type Refusal } from './commands.js'
import { Drain, isBatch, type Batch, type StateChange } from './drain.js'
import { HostState } from './host-state.js'
import type { CodecOptions, Payload } from './payload.js'
import { Sequence } from './sequence.js'
import type { Session } from './session.js'
import { deviceTopic, nodeTopic, parseTopic, stateTopic, topicFor, type NodeAddress } from './topics.js'

export interface PumpOptions {
  readonly node: NodeAddress
  readonly session: Session
  readonly outbox: Outbox
  readonly upstream: Upstream
  readonly bdSeq: BdSeqStore
  readonly codec: CodecOptions
  readonly primaryHostId?: string
  readonly dataQos: 0 | 1
  /** QoS 0: records sent this recently before a connection is found dead are replayed as history. */
  readonly replayWindowMs: number
  readonly reconnect: { readonly minMs: number; readonly maxMs: number }
  readonly log: Log
  /** A validated command other than rebirth and next-server, which the pump handles itself. */
  readonly onCommand: (command: Command, origin: string) => void
  /** A command metric that was refused, for the audit log and the counters. */
  readonly onRefused: (refusal: Refusal, origin: string) => void
  /** A command the pump applied itself (rebirth, next server), for the audit log and the counters. */
  readonly onApplied: (metric: string, origin: string) => void
  /** Limits and switches of `commands:`; the configuration defaults when absent. */
  readonly commandPolicy?: CommandPolicy
}

type SessionEnd = 'down' | 'host-offline' | 'next-server' | 'stop'

export interface PumpStatus {
  readonly connected: boolean
  readonly server: string | null
  readonly born: boolean
  readonly primaryHostOnline: boolean | null
  readonly bdSeq: number
  readonly reconnects: number
  readonly published: number
  /** Metrics sent flagged historical (replayed from the buffer) since start. */
  readonly replayedMetrics: number
}

/**
 * The one loop that talks to the upstream. Per connection: a new will with the next bdSeq,
 * CONNECT, wait for the primary host if one is configured, NBIRTH and every DBIRTH, then drain
 * the outbox (live data first, history in between) until the session ends; then reconnect or
 * walk to the next server. Everything that reaches the network passes through here, so seq is
 * stamped here, at the last moment.
 */
export class Pump {
  private readonly seq = new Sequence()
  private readonly wake = new Signal()
  private readonly host: HostState | null
  private readonly stopController = new AbortController()
  private server = 0
  private connected = false
  private drain: Drain | null = null
  private end: SessionEnd | null = null
  private rebirthWanted = false
  private inflight: { id: number; at: number }[] = []
  private reconnects = 0
  private published = 0
  private replayedMetrics = 0
  private running: Promise<void> | null = null

  constructor(private readonly o: PumpOptions) {
    this.host = o.primaryHostId === undefined ? null : new HostState(o.primaryHostId)
    o.upstream.onEvent((event) => this.onEvent(event))
  }

  start(): void {
    this.running ??= this.run()
  }

  /** Orderly stop: DDEATH for every born device, NDEATH, DISCONNECT. */
  async stop(): Promise<void> {
    this.finish('stop')
    this.stopController.abort()
    await this.running
  }

  /** New data is in the outbox. */
  notify(): void {
    this.wake.notify()
  }

  /**
   * A device came online or went offline; its DBIRTH/DDEATH goes out in order with its data.
   * Returns false when no session is born: the next births will carry the device's state.
   */
  deviceChanged(deviceId: string, online: boolean): boolean {
    if (this.drain === null) return false
    this.drain.queue({ deviceId, online, afterId: this.o.outbox.stats().nextId - 1 })
    this.wake.notify()
    return true
  }

  status(): PumpStatus {
    return {
      connected: this.connected,
      server: this.connected ? this.o.upstream.servers[this.server] ?? null : null,
      born: this.drain !== null,
      primaryHostOnline: this.host === null ? null : this.host.isOnline(this.server),
      bdSeq: this.o.bdSeq.peek(),
      reconnects: this.reconnects,
      published: this.published,
      replayedMetrics: this.replayedMetrics,
    }
  }

  private async run(): Promise<void> {
    const backoff = new Backoff(this.o.reconnect.minMs, this.o.reconnect.maxMs)
    const servers = this.o.upstream.servers
    while (!this.stopController.signal.aborted) {
      const bdSeq = this.o.bdSeq.peek()
      const url = servers[this.server]
      this.end = null
      try {
        await this.o.upstream.connect({
          server: this.server,
          will: this.message('NDEATH', this.o.session.ndeath(bdSeq, Date.now()), 1),
          subscribe: this.subscriptions(),
          onConnectSent: () => this.o.bdSeq.consume(bdSeq),
        })
      } catch (error) {
        this.o.log.warn('cannot connect to the broker', { server: url, error: (error as Error).message })
        this.server = (this.server + 1) % servers.length
        await delay(backoff.next(), this.stopController.signal)
        continue
      }
      this.connected = true
      this.reconnects++
      this.o.log.info('connected', { server: url, bdSeq })
      const end = await this.runSession(bdSeq)
      this.connected = false
      this.host?.disconnected(this.server)
      this.o.log.info('session ended', { server: url, reason: end })
      if (end === 'stop') return
      if (end === 'down') {
        await delay(backoff.next(), this.stopController.signal)
      } else {
        backoff.reset()
        this.server = (this.server + 1) % servers.length
      }
    }
  }

  private async runSession(bdSeq: number): Promise<SessionEnd> {
    while (this.end === null) {
      if (this.drain === null) {
        if (this.host !== null && !this.host.isOnline(this.server)) {
          await this.wake.wait(1000)
          continue
        }
        this.drain = new Drain(this.o.outbox, this.o.outbox.stats().nextId)
        this.rebirthWanted = false
        await this.guard(() => this.births(bdSeq))
        continue
      }
      if (this.rebirthWanted) {
        this.rebirthWanted = false
        await this.guard(() => this.births(bdSeq))
        continue
      }
      this.ackOld(Date.now())
      const item = this.drain.next()
      if (item === null) await this.wake.wait(Math.max(250, this.o.replayWindowMs / 2))
      else {
        await this.guard(() => (isBatch(item) ? this.sendBatch(item) : this.sendState(item)))
        // A publish the socket takes at once settles in a microtask; without this a backlog replay
        // never lets timers run, so no device is polled (and no live value read) until it is done.
        await new Promise<void>((resolve) => setImmediate(resolve))
      }
    }
    const end = this.end
    await this.closeSession(end, bdSeq)
    return end
  }

  private async births(bdSeq: number): Promise<void> {
    const now = Date.now()
    const drain = this.drain!
    drain.rebirth()
    // Taken together with rebirth(): a device changing state from here on is queued and follows the births.
    const online = this.o.session.onlineDevices()
    const lastId = () => this.o.outbox.stats().nextId - 1
    let upTo = lastId()
    const nbirth = this.o.session.nbirth(bdSeq, now)
    await this.publish('NBIRTH', null, nbirth)
    drain.markBorn(null, upTo)
    drain.carry(null, nbirth.metrics)
    for (const deviceId of online) {
      if (this.rebirthWanted || this.end !== null) return
      upTo = lastId()
      const dbirth = this.o.session.dbirth(deviceId, now)
      await this.publish('DBIRTH', deviceId, dbirth)
      drain.markBorn(deviceId, upTo)
      drain.carry(deviceId, dbirth.metrics)
    }
    this.o.log.info('births published', { devices: drain.born.size - 1, bdSeq })
  }

  private async sendState(change: StateChange): Promise<void> {
    const now = Date.now()
    const payload = change.online ? this.o.session.dbirth(change.deviceId, now) : this.o.session.ddeath(now)
    if (change.online) this.drain?.carry(change.deviceId, payload.metrics)
    await this.publish(change.online ? 'DBIRTH' : 'DDEATH', change.deviceId, payload)
  }

  private async sendBatch(batch: Batch): Promise<void> {
    const ids = batch.records.map((r) => r.id)
    const payload = this.o.session.dataPayload(batch.records, batch.historical, Date.now())
    if (payload !== null) {
      await this.publish('DATA', batch.deviceId, payload, this.o.dataQos)
      if (batch.historical) this.replayedMetrics += payload.metrics.length
    }
    for (const id of ids) this.drain?.sent.add(id)
    if (this.o.dataQos === 1 || payload === null) this.ack(ids)
    else {
      const at = Date.now()
      for (const id of ids) this.inflight.push({ id, at })
    }
  }

  private async publish(kind: 'NBIRTH' | 'DBIRTH' | 'DDEATH' | 'DATA', deviceId: string | null, payload: Payload, qos: 0 | 1 = 0): Promise<void> {
    const seq = this.seq.peek(kind === 'NBIRTH' ? 'NBIRTH' : 'other')
    payload.seq = seq
    const topic =
      kind === 'NBIRTH' ? nodeTopic(this.o.node, 'NBIRTH')
      : kind === 'DATA' ? topicFor(this.o.node, 'DATA', deviceId)
      : deviceTopic(this.o.node, kind, deviceId!)
    let bytes: Uint8Array
    try {
      bytes = encodePayload(payload, this.o.codec)
    } catch (error) {
      // A value the codec cannot carry is a bug to report, not a reason to stall the pump or skip a seq.
      this.o.log.error('cannot encode message; dropped', { topic, error: (error as Error).message })
      return
    }
    this.seq.commit(seq)
    await this.o.upstream.publish({ topic, payload: bytes, qos, retain: false })
    this.published++
  }

  private async closeSession(end: SessionEnd, bdSeq: number): Promise<void> {
    const now = Date.now()
    if (end === 'stop' && this.drain !== null) {
      for (const deviceId of this.drain.born) {
        if (deviceId === null) continue
        await this.guard(() => this.publish('DDEATH', deviceId, this.o.session.ddeath(now)))
      }
    }
    // Rows written to a connection we close ourselves were delivered; after a loss or a host going
    // offline they may not have been, so they stay and are replayed as history.
    if (end === 'stop' || end === 'next-server') this.ack(this.inflight.map((f) => f.id))
    this.inflight = []
    this.drain = null
    if (end !== 'down') await this.o.upstream.disconnect(this.message('NDEATH', this.o.session.ndeath(bdSeq, now), 1))
  }

  private message(type: 'NDEATH', payload: Payload, qos: 0 | 1): Message {
    return { topic: nodeTopic(this.o.node, type), payload: encodePayload(payload, this.o.codec), qos, retain: false }
  }

  private subscriptions(): string[] {
    const subs = [nodeTopic(this.o.node, 'NCMD'), deviceTopic(this.o.node, 'DCMD', '+')]
    if (this.host !== null) subs.push(stateTopic(this.host.hostId))
    return subs
  }

  private ackOld(now: number): void {
    let n = 0
    while (n < this.inflight.length && this.inflight[n]!.at <= now - this.o.replayWindowMs) n++
    if (n > 0) this.ack(this.inflight.splice(0, n).map((f) => f.id))
  }

  private ack(ids: readonly number[]): void {
    if (ids.length === 0) return
    this.o.outbox.ack(ids)
    if (this.drain !== null) for (const id of ids) this.drain.sent.delete(id)
  }

  // A publish fails only when the session is gone; the 'down' event ends the session loop.
  private async guard(action: () => Promise<void>): Promise<void> {
    try {
      await action()
    } catch (error) {
      this.o.log.debug('publish failed', { error: (error as Error).message })
      if (!this.connected || this.end === null) await this.wake.wait(1000)
    }
  }

  private finish(end: SessionEnd): void {
    if (this.end === null || end === 'stop') this.end = end
    this.wake.notify()
  }

  private onEvent(event: UpstreamEvent): void {
    if (event.type === 'down') {
      this.o.log.warn('connection lost', { error: event.error?.message })
      this.finish('down')
      return
    }
    const topic = parseTopic(event.topic)
    if (topic === null) return
    if (topic.type === 'STATE') {
      if (this.host === null || topic.hostId !== this.host.hostId) return
      const state = this.host.apply(this.server, event.payload)
      if (state === null) return
      this.o.log.info(`primary host ${state.online ? 'online' : 'offline'}`, { host: topic.hostId })
      if (!state.online && this.drain !== null) this.finish('host-offline')
      this.wake.notify()
      return
    }
    if (topic.type !== 'NCMD' && topic.type !== 'DCMD') return
    if (topic.groupId !== this.o.node.groupId || topic.edgeNodeId !== this.o.node.edgeNodeId) return
    this.onCommandMessage(event.topic, topic.deviceId, event.payload, event.retain)
  }

  private onCommandMessage(origin: string, deviceId: string | null, bytes: Uint8Array, retained: boolean): void {
    const { commands, refused } = receiveCommands(this.o.session, deviceId, bytes, retained, this.o.commandPolicy)
    for (const refusal of refused) this.o.onRefused(refusal, origin)
    for (const command of commands) {
      if (command.type === 'rebirth') {
        this.o.onApplied('Node Control/Rebirth', origin)
        this.rebirthWanted = true
        this.wake.notify()
      } else if (command.type === 'next-server') {
        this.o.onApplied('Node Control/Next Server', origin)
        this.finish('next-server')
      } else {
        this.o.onCommand(command, origin)
      }
    }
  }
}
