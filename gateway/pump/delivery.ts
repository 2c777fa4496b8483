import type { Log } from '../model/log.js'
import type { Outbox, OutboxEntry } from '../outbox/outbox.js'
import type { Clock } from '../base/clock.js'
import { UndeliverableError, UpstreamError, type Message, type Upstream } from '../upstream/upstream.js'
import { encodePayload } from '../sparkplug/codec.js'
import { Drain, isBatch, type Batch, type StateChange } from './drain.js'
import { HEARTBEAT_INTERVAL, heartbeatMetric } from '../node/node-metrics.js'
import type { CodecOptions, Payload } from '../sparkplug/payload.js'
import type { Refusals } from './refusals.js'
import type { ReplayLedger } from './replay-ledger.js'
import { Sequence } from './sequence.js'
import type { NodeView } from '../node/node-state.js'
import type { PayloadBuilder } from '../sparkplug/payload-builder.js'
import type { RecordOrder } from '../node/recorder.js'
import { addressOf, topicOf, type NodeAddress } from '../base/topics.js'

/** What the pump is given and hands on to each session's delivery. */
export interface DeliveryParts {
  readonly node: NodeAddress
  /** The node's state as the recorder keeps it: read here, never written. */
  readonly state: NodeView
  readonly payloads: PayloadBuilder
  /** Where births stand against buffered data. */
  readonly order: RecordOrder
  readonly outbox: Outbox
  readonly upstream: Upstream
  readonly codec: CodecOptions
  readonly log: Log
}

export interface DeliveryContext extends DeliveryParts {
  readonly clock: Clock
  /** Shared with the pump across sessions, for /status. */
  readonly counters: { published: number; replayedMetrics: number }
  /** Shared with the pump across sessions: which rows have already been written to a lost session. */
  readonly ledger: ReplayLedger
  /** Shared with the pump: publishes the server refused, to be retried after a pause. */
  readonly refusals: Refusals
}

/** How an upstream session ended, as far as the outgoing side cares. */
export type SessionEnd = 'down' | 'host-offline' | 'next-server' | 'stop'

/**
 * The outgoing side of one upstream session: births, then data and device births/deaths in
 * order, with at most `maxInFlight` publishes outstanding; outbox rows leave when the upstream's
 * guarantee says they are delivered (at once when it confirms data, after the replay window when
 * it only writes); deaths on an orderly end; heartbeats where the upstream has no will. Made per
 * connection: seq and the sent set start afresh with each session.
 */
export class Delivery {
  private readonly seq = new Sequence()
  private readonly inFlight = new Set<Promise<void>>()
  /** Rows written to an upstream that does not confirm data, oldest first, by when. */
  private readonly unconfirmed: { readonly ids: readonly number[]; readonly at: number }[] = []
  private drain: Drain | null = null
  private lastPublishAt: number
  /** A publish failed other than by a refusal: the session is likely going down, and sending more would only fail too. */
  private failed = false

  constructor(
    private readonly c: DeliveryContext,
    private readonly bdSeq: number,
  ) {
    this.lastPublishAt = c.clock.now()
  }

  get born(): boolean {
    return this.drain !== null
  }

  /** Whether a publish failed since the last call (not refused: see `refusals`): the session is likely going down. */
  takeFailure(): boolean {
    const failed = this.failed
    this.failed = false
    return failed
  }

  /**
   * NBIRTH, then a DBIRTH per online device. Stops between births when `interrupted` says so
   * (a rebirth was asked, or the session is ending): the caller starts over or ends.
   */
  async births(interrupted: () => boolean): Promise<void> {
    const { outbox, state, payloads, order } = this.c
    this.drain ??= new Drain(outbox, order, { recordsPerBatch: this.c.upstream.capabilities.deduplicates ? 1 : undefined })
    const drain = this.drain
    const now = this.c.clock.now()
    drain.rebirth()
    // Taken together with rebirth(): a device changing state from here on is queued and follows the births.
    const online = state.onlineDevices()
    let upTo = order.lastRecordId()
    const nbirth = payloads.nbirth(this.bdSeq, now)
    await this.send('NBIRTH', null, nbirth)
    drain.markBorn(null, upTo)
    drain.carry(null, nbirth.metrics)
    for (const deviceId of online) {
      if (interrupted()) return
      upTo = order.lastRecordId()
      const dbirth = payloads.dbirth(deviceId, now)
      await this.send('DBIRTH', deviceId, dbirth)
      drain.markBorn(deviceId, upTo)
      drain.carry(deviceId, dbirth.metrics)
    }
    this.c.log.info('births published', { devices: drain.born.size - 1, bdSeq: this.bdSeq })
  }

  /** A device came online or went offline; false before the births, which then carry its state. */
  deviceChanged(deviceId: string, online: boolean): boolean {
    if (this.drain === null) return false
    this.drain.queue({ deviceId, online, afterId: this.c.order.lastRecordId() })
    return true
  }

  /** Starts the next publish the drain has; false when there is nothing to send. */
  async sendNext(): Promise<boolean> {
    const item = this.drain?.next() ?? null
    if (item === null) return false
    if (isBatch(item)) await this.sendBatch(item)
    else await this.sendState(item)
    return true
  }

  /** Acknowledges rows written to an unconfirming upstream longer than its replay window ago. */
  ackWritten(now: number): void {
    const window = this.c.upstream.capabilities.replayWindowMs
    let n = 0
    while (n < this.unconfirmed.length && this.unconfirmed[n]!.at <= now - window) n++
    if (n > 0) this.ack(this.unconfirmed.splice(0, n).flatMap((u) => u.ids))
  }

  /** Milliseconds until a heartbeat is due; Infinity where the upstream has a will. */
  heartbeatIn(now: number): number {
    const { will, heartbeatMs } = this.c.upstream.capabilities
    if (will || heartbeatMs <= 0 || this.drain === null) return Number.POSITIVE_INFINITY
    return Math.max(0, this.lastPublishAt + heartbeatMs - now)
  }

  /** NDATA carrying the declared heartbeat interval: the node is alive and born. */
  async heartbeat(): Promise<void> {
    const now = this.c.clock.now()
    const metric = heartbeatMetric(this.c.upstream.capabilities.heartbeatMs, now)
    const payload = this.c.payloads.dataPayload([{ deviceId: null, at: now, metrics: [metric] }], false, now)
    if (payload === null) {
      this.c.log.error('cannot build the heartbeat: the NBIRTH did not declare it', { metric: HEARTBEAT_INTERVAL })
      this.lastPublishAt = now
      return
    }
    await this.send('DATA', null, payload)
  }

  /**
   * Ends the outgoing side: waits for every publish in flight, sends DDEATH for born devices on an
   * orderly stop, and acknowledges rows written to a connection we close ourselves (after a loss or
   * a host going offline they may not have arrived, so they stay and are replayed as history,
   * once: a row written to a lost session before leaves the buffer now).
   */
  async end(reason: SessionEnd): Promise<void> {
    await this.settled()
    if (reason === 'stop' && this.drain !== null) {
      const now = this.c.clock.now()
      for (const deviceId of this.drain.born) {
        if (deviceId !== null) await this.send('DDEATH', deviceId, this.c.payloads.ddeath(now))
      }
      await this.settled()
    }
    const written = this.unconfirmed.flatMap((u) => u.ids)
    if (reason === 'stop' || reason === 'next-server') this.ack(written)
    else if (written.length > 0) this.ack(this.c.ledger.lost(written, this.c.outbox.peek(1)[0]?.id ?? this.c.order.lastRecordId() + 1))
    this.unconfirmed.length = 0
    this.drain = null
    this.c.refusals.flush()
  }

  private async sendState(change: StateChange): Promise<void> {
    const now = this.c.clock.now()
    const payload = change.online ? this.c.payloads.dbirth(change.deviceId, now) : this.c.payloads.ddeath(now)
    if (change.online) this.drain?.carry(change.deviceId, payload.metrics)
    await this.send(change.online ? 'DBIRTH' : 'DDEATH', change.deviceId, payload)
  }

  private async sendBatch(batch: Batch): Promise<void> {
    const ids = batch.records.map((r) => r.id)
    for (const id of ids) this.drain?.sent.add(id)
    // Records with nothing the births declare any more (their tags were removed or renamed by a
    // reload) are dropped and counted; a record emptied because a birth carried its values is delivered.
    const lost = batch.records.filter((r) => r.metrics.length > 0 && !this.c.state.declaresAny(r))
    const rows = lost.length === 0 ? ids : ids.filter((id) => !lost.some((r) => r.id === id))
    this.drop(lost.map((r) => r.id))
    const payload = this.c.payloads.dataPayload(batch.records, batch.historical, this.c.clock.now())
    if (payload === null) return this.ack(rows)
    if (batch.historical) this.c.counters.replayedMetrics += payload.metrics.length
    await this.send('DATA', batch.deviceId, payload, rows, this.messageId(batch.records))
  }

  /**
   * Stamps seq, encodes and starts the publish; waits only for room in the window. `rows` are
   * acknowledged once an upstream that confirms data has confirmed the message, or held for the
   * replay window once one that does not has written it.
   */
  private async send(kind: 'NBIRTH' | 'DBIRTH' | 'DDEATH' | 'DATA', deviceId: string | null, payload: Payload, rows?: readonly number[], id?: string): Promise<void> {
    const seq = this.seq.peek(kind === 'NBIRTH' ? 'NBIRTH' : 'other')
    payload.seq = seq
    const address = kind === 'NBIRTH' ? addressOf(this.c.node, 'BIRTH', null) : kind === 'DATA' ? addressOf(this.c.node, 'DATA', deviceId) : addressOf(this.c.node, kind === 'DBIRTH' ? 'BIRTH' : 'DEATH', deviceId)
    let bytes: Uint8Array
    try {
      bytes = encodePayload(payload, this.c.codec)
    } catch (error) {
      // A value the codec cannot carry is a bug to report, not a reason to stall the pump or skip a seq.
      this.c.log.error('cannot encode message; dropped', { type: address.type, device: deviceId, records: rows?.length ?? 0, error: (error as Error).message })
      if (rows !== undefined) this.drop(rows)
      return
    }
    this.seq.commit(seq)
    this.lastPublishAt = this.c.clock.now()
    const message: Message = { address, payload: bytes, kind: rows === undefined ? 'session' : 'data', ...(id === undefined ? {} : { id }) }
    const topic = topicOf(address)
    const publishing = this.c.upstream.publish(message).then(
      () => {
        this.c.counters.published++
        this.c.refusals.accepted(topic)
        if (rows === undefined) return
        if (this.c.upstream.capabilities.confirmsData) this.ack(rows)
        else this.unconfirmed.push({ ids: rows, at: this.c.clock.now() })
      },
      (error: Error) => {
        this.c.log.debug('publish failed', { type: address.type, error: error.message })
        if (error instanceof UndeliverableError) {
          // Retrying the same bytes cannot help: rows a payload shared go again one by one, a row alone goes (counted) so the rows behind it flow; a birth must stay.
          if (kind !== 'DATA') return this.c.refusals.birthRefused(error, topic)
          if (rows !== undefined && rows.length > 1 && this.drain !== null) return this.drain.retryAlone(rows)
          this.c.refusals.dropped(error, topic, bytes.length, rows?.length ?? 0)
          if (rows !== undefined) this.drop(rows)
          return
        }
        if (!(error instanceof UpstreamError && error.kind === 'refused')) {
          this.failed = true
          return
        }
        this.c.refusals.refused(error, kind !== 'DATA')
        if (rows !== undefined && this.drain !== null) this.drain.retry(rows)
      },
    )
    this.inFlight.add(publishing)
    void publishing.finally(() => this.inFlight.delete(publishing))
    while (this.inFlight.size >= this.c.upstream.capabilities.maxInFlight) await Promise.race(this.inFlight)
  }

  /** Node identity, row id and the row's time: stable across restarts and retries, new if the buffer is ever recreated. */
  private messageId(records: readonly OutboxEntry[]): string | undefined {
    if (!this.c.upstream.capabilities.deduplicates || records.length !== 1) return undefined
    const row = records[0]!
    return `${this.c.node.groupId}.${this.c.node.edgeNodeId}.${row.id}.${row.at}`
  }

  private async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  private ack(ids: readonly number[]): void {
    if (ids.length === 0) return
    this.c.outbox.ack(ids)
    this.forget(ids)
  }

  /** Rows that cannot be sent leave the buffer as dropped: counted in the buffer's dropped total. */
  private drop(ids: readonly number[]): void {
    if (ids.length === 0) return
    this.c.outbox.drop(ids)
    this.forget(ids)
  }

  private forget(ids: readonly number[]): void {
    this.c.ledger.forget(ids)
    this.drain?.forget(ids)
  }
}
