import { Backoff } from '../base/backoff.js'
import { systemClock, type Clock } from '../base/clock.js'
import { Signal } from '../base/signal.js'
import type { Message, UpstreamEvent } from '../upstream/upstream.js'
import type { BdSeqStore } from './bdseq.js'
import { encodePayload } from '../sparkplug/codec.js'
import type { Command, CommandOutcome, CommandPolicy, Refusal } from '../sparkplug/commands.js'
import { Delivery, type DeliveryParts, type SessionEnd } from './delivery.js'
import { HostState } from './host-state.js'
import { Inbound } from './inbound.js'
import { Refusals } from './refusals.js'
import { ReplayLedger } from './replay-ledger.js'
import { addressOf } from '../base/topics.js'
import type { PumpStatus } from '../base/status.js'

export interface PumpOptions extends DeliveryParts {
  readonly bdSeq: BdSeqStore
  readonly primaryHostId?: string
  readonly reconnect: { readonly minMs: number; readonly maxMs: number }
  /** A validated command other than rebirth and next-server; resolves when it is applied or refused. */
  readonly onCommand: (command: Command, origin: string) => Promise<CommandOutcome>
  /** A command metric that was refused, for the audit log and the counters. */
  readonly onRefused: (refusal: Refusal, origin: string) => void
  /** A command the pump applied itself (rebirth, next server), for the audit log and the counters. */
  readonly onApplied: (metric: string, origin: string) => void
  /** Limits and switches of `commands:`; the configuration defaults when absent. */
  readonly commandPolicy?: CommandPolicy
  /** Tests drive time; the system clock otherwise. */
  readonly clock?: Clock
  /** Jitter source of the reconnect backoff. */
  readonly random?: () => number
}

/** Idle wake-up: the replay window and the primary host are re-checked at least this often. */
const idleWaitMs = 250

/**
 * The connection lifecycle, and the one place that talks to the upstream. Per connection: the
 * next bdSeq (in the will where the upstream has one), connect, wait for the primary host if one
 * is configured, then hand the session to a Delivery (births, data, deaths) while Inbound turns
 * STATE and commands into actions; when the session ends, reconnect with backoff or walk to the
 * next server. Owns: which server, whether connected, why a session ended, bdSeq consumption.
 */
export class Pump {
  private readonly clock: Clock
  private readonly wake: Signal
  private readonly host: HostState | null
  private readonly inbound: Inbound
  private readonly stopController = new AbortController()
  private readonly counters = { published: 0, replayedMetrics: 0 }
  private readonly ledger = new ReplayLedger()
  private readonly refusals: Refusals
  private server = 0
  private connected = false
  private connectedSince: number
  private delivery: Delivery | null = null
  private end: SessionEnd | null = null
  private rebirthWanted = false
  private reconnects = 0
  private running: Promise<void> | null = null

  constructor(private readonly o: PumpOptions) {
    this.clock = o.clock ?? systemClock
    this.wake = new Signal(this.clock)
    this.connectedSince = this.clock.now()
    this.host = o.primaryHostId === undefined ? null : new HostState(o.primaryHostId)
    this.inbound = new Inbound({ ...o, host: this.host })
    this.refusals = new Refusals(o.log, this.clock, o.reconnect, o.random)
    if (this.host !== null && !o.upstream.capabilities.retainedState) {
      o.log.warn('this upstream does not keep the last STATE: births wait until the primary host publishes its STATE again', { host: this.host.hostId })
    }
    o.upstream.onEvent((event) => this.onEvent(event))
  }

  start(): void {
    this.running ??= this.run()
  }

  /** Orderly stop: DDEATH for every born device, NDEATH, disconnect. */
  async stop(): Promise<void> {
    this.finish('stop')
    this.stopController.abort()
    await this.running
  }

  /** Births again, as after a host's Rebirth: the node's definitions (template types) changed. */
  definitionsChanged(): void {
    if (this.delivery?.born === true) this.o.log.info('template types changed; the node is born again (definitions live in NBIRTH)')
    this.rebirthWanted = true
    this.wake.notify()
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
    if (this.delivery === null || !this.delivery.deviceChanged(deviceId, online)) return false
    this.wake.notify()
    return true
  }

  status(): PumpStatus {
    return {
      connected: this.connected,
      since: this.connectedSince,
      server: this.connected ? this.o.upstream.servers[this.server] ?? null : null,
      serverInUse: this.o.upstream.servers[this.server] ?? '',
      born: this.delivery?.born ?? false,
      primaryHostOnline: this.host === null ? null : this.host.isOnline(this.server),
      bdSeq: this.o.bdSeq.peek(),
      reconnects: this.reconnects,
      published: this.counters.published,
      replayedMetrics: this.counters.replayedMetrics,
    }
  }

  private async run(): Promise<void> {
    const backoff = new Backoff(this.o.reconnect.minMs, this.o.reconnect.maxMs, this.o.random)
    const servers = this.o.upstream.servers
    const signal = this.stopController.signal
    while (!signal.aborted) {
      const bdSeq = this.o.bdSeq.peek()
      const url = servers[this.server]
      this.end = null
      try {
        await this.o.upstream.connect({
          server: this.server,
          will: this.ndeath(bdSeq),
          node: this.o.node,
          primaryHostId: this.host?.hostId ?? null,
          onConnectSent: () => this.o.bdSeq.consume(bdSeq),
        })
      } catch (error) {
        this.o.log.warn('cannot connect upstream', { server: url, error: (error as Error).message })
        this.server = (this.server + 1) % servers.length
        await this.clock.sleep(backoff.next(), signal)
        continue
      }
      this.connected = true
      this.connectedSince = this.clock.now()
      this.reconnects++
      this.o.log.info('connected', { server: url, bdSeq })
      const end = await this.runSession(bdSeq)
      this.connected = false
      this.connectedSince = this.clock.now()
      this.host?.disconnected(this.server)
      this.o.log.info('session ended', { server: url, reason: end })
      if (end === 'stop') return
      if (end === 'down') {
        await this.clock.sleep(backoff.next(), signal)
      } else {
        backoff.reset()
        this.server = (this.server + 1) % servers.length
      }
    }
  }

  private async runSession(bdSeq: number): Promise<SessionEnd> {
    const delivery = new Delivery({ ...this.o, clock: this.clock, counters: this.counters, ledger: this.ledger, refusals: this.refusals }, bdSeq)
    this.delivery = delivery
    const interrupted = () => this.rebirthWanted || this.end !== null
    while (this.end === null) {
      if (!delivery.born || this.rebirthWanted) {
        if (!delivery.born && this.host !== null && !this.host.isOnline(this.server)) {
          await this.wake.wait(1000)
          continue
        }
        this.rebirthWanted = false
        await delivery.births(interrupted)
        continue
      }
      const refusal = this.refusals.take()
      if (refusal !== null) {
        await this.pause(refusal.waitMs)
        if (refusal.rebirth) this.rebirthWanted = true
        continue
      }
      if (delivery.takeFailure()) {
        // The session is probably gone and its 'down' event on its way; a refused message costs only this pause.
        await this.wake.wait(1000)
        continue
      }
      const now = this.clock.now()
      delivery.ackWritten(now)
      if (delivery.heartbeatIn(now) === 0) await delivery.heartbeat()
      if (await delivery.sendNext()) {
        // A publish the socket takes at once settles in a microtask; without this a backlog replay
        // never lets timers run, so no device is polled (and no live value read) until it is done.
        await new Promise<void>((resolve) => setImmediate(resolve))
      } else {
        await this.wake.wait(Math.min(idleWaitMs, delivery.heartbeatIn(now)))
      }
    }
    const end = this.end
    await delivery.end(end)
    this.delivery = null
    if (end !== 'down') await this.o.upstream.disconnect(this.ndeath(bdSeq))
    return end
  }

  /** Waits `ms` without sending, whatever new data arrives meanwhile; ends early when the session ends. */
  private async pause(ms: number): Promise<void> {
    const until = this.clock.now() + ms
    while (this.end === null && this.clock.now() < until) await this.wake.wait(until - this.clock.now())
  }

  private ndeath(bdSeq: number): Message {
    const payload = encodePayload(this.o.payloads.ndeath(bdSeq, this.clock.now()), this.o.codec)
    return { address: addressOf(this.o.node, 'DEATH', null), payload, kind: 'session' }
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
    this.inbound.receive(event, {
      server: () => this.server,
      rebirth: () => {
        this.rebirthWanted = true
        this.wake.notify()
      },
      nextServer: () => this.finish('next-server'),
      hostChanged: (online) => {
        if (!online && this.delivery?.born === true) this.finish('host-offline')
        this.wake.notify()
      },
    })
  }
}
