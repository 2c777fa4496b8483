/**
 * The upstream contract: a connection to the server that Sparkplug messages go to (an MQTT
 * broker, later NATS). It knows topics and bytes, not Sparkplug: the pump decides what to send.
 * One `connect` is one session; the pump owns reconnecting, because every new MQTT CONNECT
 * needs a new will carrying the next bdSeq.
 */
export interface Upstream {
  /**
   * Opens one session to `servers[server]`, registers `will` as its last will (MQTT) and
   * subscribes to `subscribe` at QoS 1 before resolving. Rejects with UpstreamError; never retries.
   * `onConnectSent` is called once the CONNECT packet has been written (bdSeq is then consumed).
   */
  connect(opts: { server: number; will: Message; subscribe: readonly string[]; onConnectSent?: () => void }): Promise<void>
  /**
   * Resolves when the message is written to the live session (QoS 0) or acknowledged by the
   * server (QoS 1 PUBACK). Rejects with UpstreamError when the session is gone.
   */
  publish(msg: Message): Promise<void>
  /**
   * Ends the session. With `final`, publishes it first (an explicit NDEATH before DISCONNECT).
   * Idempotent; never rejects. Emits no `down`: the caller knows it ended the session.
   */
  disconnect(final?: Message): Promise<void>
  /** Registers the listener for session changes and inbound messages, in order. One listener. */
  onEvent(listener: (event: UpstreamEvent) => void): void
  /** Server URLs in failover order. */
  readonly servers: readonly string[]
}

export interface Message {
  readonly topic: string
  readonly payload: Uint8Array
  readonly qos: 0 | 1
  readonly retain: boolean
}

export type UpstreamEvent =
  | { readonly type: 'down'; readonly error?: Error }
  | { readonly type: 'message'; readonly topic: string; readonly payload: Uint8Array; readonly retain: boolean }

export class UpstreamError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'refused' | 'tls' | 'closed' | 'timeout',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options)
    this.name = 'UpstreamError'
  }
}
