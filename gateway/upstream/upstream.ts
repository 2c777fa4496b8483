import type { NodeAddress, SparkplugAddress } from '../base/topics.js'

/**
 * The upstream contract: a connection to the server Sparkplug messages go to (an MQTT broker, a
 * NATS server or cluster). It knows addresses, bytes and what its server guarantees, not
 * Sparkplug sessions: the pump decides what to send. One `connect` is one session; the pump owns
 * reconnecting, because every new session needs the next bdSeq (in the MQTT will, and in NBIRTH).
 */
export interface Upstream {
  /** Server URLs in failover order, as logs and /status show them (no credentials). */
  readonly servers: readonly string[]
  readonly capabilities: UpstreamCapabilities
  /**
   * Opens one session to `servers[server]`: registers `will` where the server supports one, and
   * listens for the node's NCMD and DCMD (every device) and the primary host's STATE before
   * resolving. Rejects with UpstreamError; never retries. `onConnectSent` is called once the
   * server may have seen the session start (the bdSeq of its will and NBIRTH is then used up).
   */
  connect(opts: ConnectOptions): Promise<void>
  /**
   * Resolves when the message is written to the live session or, for a `data` message on an
   * upstream that `confirmsData`, when the server has stored it. Rejects with UpstreamError when
   * the session is gone or the server refused the message: kind `refused` for now (a full stream),
   * UndeliverableError for good (these bytes will never be taken).
   */
  publish(msg: Message): Promise<void>
  /**
   * Ends the session. With `final`, publishes it first (an explicit NDEATH). Idempotent; never
   * rejects. Emits no `down`: the caller knows it ended the session.
   */
  disconnect(final?: Message): Promise<void>
  /** Registers the listener for session changes and inbound messages, in order. One listener. */
  onEvent(listener: (event: UpstreamEvent) => void): void
}

/** What the server behind an upstream guarantees; the pump adapts its delivery to it. */
export interface UpstreamCapabilities {
  /** The server publishes the will when the session dies uncleanly (MQTT). Without one, the pump sends heartbeats. */
  readonly will: boolean
  /**
   * `publish` of a data message resolves only once the server has it (MQTT QoS 1 PUBACK,
   * JetStream PubAck): the outbox row can go at once. Otherwise it resolves when written, and
   * the pump keeps the row for `replayWindowMs` in case the connection was already dead.
   */
  readonly confirmsData: boolean
  /** Without `confirmsData`: how long a dead connection can go unnoticed. */
  readonly replayWindowMs: number
  /**
   * The server drops a data message whose `id` it has stored before (JetStream `Nats-Msg-Id`):
   * each outbox row is then published as its own message, with an id that survives restarts.
   */
  readonly deduplicates: boolean
  /** The server hands a new subscriber the last STATE a host published (MQTT retained messages). */
  readonly retainedState: boolean
  /** A command can arrive as a request that takes a reply (NATS request-reply). */
  readonly requestReply: boolean
  /** Without `will`: the interval of the node's liveness message while it publishes nothing else. */
  readonly heartbeatMs: number
  /** Publishes the pump may have outstanding at once. */
  readonly maxInFlight: number
}

export interface ConnectOptions {
  readonly server: number
  /** The NDEATH the server publishes if the session dies (ignored without `capabilities.will`). */
  readonly will: Message
  /** The node whose commands to receive. */
  readonly node: NodeAddress
  /** The primary host whose STATE to receive, if one is configured. */
  readonly primaryHostId: string | null
  readonly onConnectSent?: () => void
}

export interface Message {
  readonly address: SparkplugAddress
  readonly payload: Uint8Array
  /** `data` (DATA from the outbox, maybe confirmed), `session` (births, deaths, heartbeats: never stored for replay). */
  readonly kind: 'data' | 'session'
  /** With `capabilities.deduplicates`: the stable id of the outbox row this message carries. */
  readonly id?: string
}

export type UpstreamEvent =
  | { readonly type: 'down'; readonly error?: Error }
  | {
      readonly type: 'message'
      readonly address: SparkplugAddress
      readonly payload: Uint8Array
      /** Delivered from the server's memory rather than published now (stale for a command). */
      readonly retain: boolean
      /** Where it came from as the upstream spells it (topic, subject): for the audit log. */
      readonly origin: string
      /** Present when the sender waits for an answer (NATS request). */
      readonly reply?: (body: Uint8Array) => void
      /**
       * Why the upstream will not have this message applied (a NATS subject that only aliases the
       * node's own): a command is then refused whole with this reason, and audited.
       */
      readonly refused?: string
    }

export class UpstreamError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'refused' | 'undeliverable' | 'tls' | 'closed' | 'timeout',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'UpstreamError'
  }
}

/** `servers[index]`, for `connect({ server: index })`; an index past the list is a caller's mistake made visible. */
export function serverAt(servers: readonly string[], index: number, listKey: string): string {
  const url = servers[index]
  if (url === undefined) throw new UpstreamError('unreachable', `no server at index ${index}; ${listKey} has ${servers.length}`)
  return url
}

/**
 * The server (or its client library, before sending) will never take this message as it is: too
 * large for it, or not allowed on its topic. The session is fine and other messages go on; sending
 * the same bytes again would be refused the same way. `reason` names the limit in a few words that
 * are the same for every message it refuses (the message says which message, and what to change).
 */
export class UndeliverableError extends UpstreamError {
  constructor(
    readonly reason: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super('undeliverable', message, options)
    this.name = 'UndeliverableError'
  }
}
