/**
 * What the running gateway reports about itself: the one shape behind /status, /metrics and the
 * service manager's STATUS= line. Types only, so its readers need not import the gateway.
 */
import type { BufferFileStatus } from './outbox/sqlite-fallback.js'
import type { OutboxStats } from './outbox/outbox.js'
import type { DeviceStats } from './runtime/online-state.js'
import type { StateFileStatus } from './sparkplug/bdseq.js'
import type { PumpStatus } from './sparkplug/pump.js'

export interface GatewayStatus {
  readonly upstream: PumpStatus
  readonly devices: Readonly<Record<string, DeviceStats>>
  readonly buffer: OutboxStats
  readonly commands: { readonly accepted: number; readonly refused: number }
  /** Whether the state files take writes; the gateway keeps publishing live data when they do not. */
  readonly state: StateStatus
}

export interface StateStatus {
  readonly dir: string
  /** False while the bdseq file or the buffer file cannot be written. */
  readonly writable: boolean
  readonly bdseq: StateFileStatus
  /** Null with `buffer.path: null` or an outbox given by the caller. */
  readonly buffer: BufferFileStatus | null
}
