/**
 * The primary host's STATE as this edge node understands it (Sparkplug 3.0 §5.x, tck-ids
 * message-flow-edge-node-birth-publish-phid-*). Only the configured host id counts; a STATE is
 * valid when its timestamp is at least the last one seen from that host on that server, so a
 * stale retained message cannot undo a newer one. Timestamps are kept per server and survive
 * reconnects.
 */
export class HostState {
  private readonly lastTimestamp = new Map<number, number>()
  private readonly online = new Map<number, boolean>()

  constructor(readonly hostId: string) {}

  /**
   * Applies a STATE payload received on `server`. Returns its online flag when the message is
   * valid, null when it is ignored (not 3.0 STATE JSON, or older than the last one seen there).
   */
  apply(server: number, payload: Uint8Array): { online: boolean } | null {
    const state = parse(payload)
    if (state === null) return null
    const last = this.lastTimestamp.get(server)
    if (last !== undefined && state.timestamp < last) return null
    this.lastTimestamp.set(server, state.timestamp)
    this.online.set(server, state.online)
    return { online: state.online }
  }

  isOnline(server: number): boolean {
    return this.online.get(server) ?? false
  }

  /** Forget the online flag (not the timestamp) when the session to `server` ends. */
  disconnected(server: number): void {
    this.online.set(server, false)
  }
}

function parse(payload: Uint8Array): { online: boolean; timestamp: number } | null {
  try {
    const json: unknown = JSON.parse(Buffer.from(payload).toString('utf8'))
    if (typeof json !== 'object' || json === null) return null
    const { online, timestamp } = json as Record<string, unknown>
    if (typeof online !== 'boolean' || typeof timestamp !== 'number' || !Number.isFinite(timestamp)) return null
    return { online, timestamp }
  } catch {
    return null
  }
}
