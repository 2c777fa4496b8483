/**
 * What the running gateway reports about itself: the one shape behind /status, /metrics and the
 * service manager's STATUS= line. Types only, so its readers need not import the gateway.
 */
import type { LogWarning } from '../model/log.js'

export interface GatewayStatus {
  readonly node: NodeIdentity
  readonly upstream: PumpStatus
  readonly devices: Readonly<Record<string, DeviceStats>>
  readonly buffer: BufferStatus
  readonly commands: { readonly accepted: number; readonly refused: number }
  /** Whether the state files take writes; the gateway keeps publishing live data when they do not. */
  readonly state: StateStatus
  /** The last warn and error lines of the log, oldest first (at most 20). */
  readonly warnings: readonly LogWarning[]
}

/** Which Sparkplug node this gateway is, and which release of the software runs it. */
export interface NodeIdentity {
  readonly groupId: string
  readonly edgeNodeId: string
  /** package.json's version, read once at start. */
  readonly version: string
}

export interface StateStatus {
  readonly dir: string
  /** False while the bdseq file or the buffer file cannot be written. */
  readonly writable: boolean
  readonly bdseq: StateFileStatus
  /** Null with `buffer.path: null` or an outbox given by the caller. */
  readonly buffer: BufferFileStatus | null
}

/** The upstream connection: where, whether connected and born, and what went over it. */
export interface PumpStatus {
  readonly connected: boolean
  /** When (ms since the epoch) `connected` last changed, or the pump started. */
  readonly since: number
  /** The server of the current session; null while not connected. */
  readonly server: string | null
  /** The configured server in use, or the one being tried while not connected: never null. */
  readonly serverInUse: string
  readonly born: boolean
  readonly primaryHostOnline: boolean | null
  readonly bdSeq: number
  readonly reconnects: number
  readonly published: number
  /** Metrics sent flagged historical (replayed from the buffer) since start. */
  readonly replayedMetrics: number
}

/** One device's scans since start. */
export interface DeviceStats {
  readonly online: boolean
  readonly scans: number
  readonly failedScans: number
  readonly timeouts: number
  readonly lastScanMs: number
  /** The driver's message for the last failed scan or connect (at most 200 characters); null after a good scan. */
  readonly lastError: string | null
}

/** What the outbox (the store-and-forward buffer) holds and has dropped. */
export interface OutboxStats {
  readonly records: number
  readonly bytes: number
  /** `at` of the oldest record, or null when empty. */
  readonly oldestAt: number | null
  /** Records dropped since start: the outbox was full or unwritable, they could no longer be sent, or the server refused them for good. */
  readonly dropped: number
  /** Id the next `add` will get; lets the pump order state messages against data. */
  readonly nextId: number
}

/** The buffer as /status and /metrics show it: what it holds, and how fast it empties. */
export interface BufferStatus extends OutboxStats {
  /** Metrics replayed from the buffer per second over the last 30 s (sampled every 10 s). */
  readonly replayRate: number
}

/** Whether the buffer file takes writes, for /status and /metrics. */
export interface BufferFileStatus {
  readonly path: string
  readonly writable: boolean
  /** Why not, while `writable` is false. */
  readonly error: string | null
}

/** Whether a state file could be written at its last attempt, for /status and /metrics. */
export interface StateFileStatus {
  readonly path: string
  readonly writable: boolean
  /** The last write error while `writable` is false, else null. */
  readonly error: string | null
  /** Failed writes since start. */
  readonly writeErrors: number
  /** The runtime (RAM) file holding what the state file could not take, while there is one. */
  readonly keptIn: string | null
}
