import { prepareStateDir } from './base/private-dir.js'
import { runtimeDirFor } from './base/runtime-dir.js'
import type { GatewayStatus, StateStatus } from './base/status.js'
import { defaults } from './config/defaults.js'
import type { GatewayConfig } from './config/types.js'
import type { Log } from './model/log.js'
import { createMemoryOutbox } from './outbox/memory-outbox.js'
import type { Outbox } from './outbox/outbox.js'
import { openBuffer } from './outbox/sqlite-fallback.js'
import { createFileBdSeqStore } from './pump/bdseq.js'
import { nodeMetricDefs, softwareVersion } from './node/node-metrics.js'
import { NodeState } from './node/node-state.js'
import { PayloadBuilder } from './sparkplug/payload-builder.js'
import { Pump } from './pump/pump.js'
import { Recorder } from './node/recorder.js'
import { CommandAudit } from './runtime/audit.js'
import { bufferMetricDefs, startBufferSampler } from './runtime/buffer-metrics.js'
import { commandHandler } from './runtime/command-handler.js'
import { DeviceSet } from './runtime/device-set.js'
import { liveness, PumpProgress, type Liveness } from './runtime/liveness.js'
import type { ReloadPlan } from './runtime/reload-plan.js'
import { applyReload } from './runtime/reload.js'
import { startHttpServer } from './http/server.js'

export interface Gateway {
  status(): GatewayStatus
  /**
   * Applies a newly loaded configuration: removed devices die and their buffered records are
   * dropped, changed ones are reopened (DDEATH, DBIRTH), added ones start; untouched devices go on
   * without a gap. Node-level changes are not applied: they are logged as needing a restart.
   */
  reload(next: GatewayConfig): Promise<ReloadPlan>
  /** Orderly stop: devices closed, DDEATHs and NDEATH published, outbox closed. */
  stop(): Promise<void>
  /** Whether the pump and every device loop still turn (the service manager's watchdog). */
  readonly liveness: Liveness
}

export interface GatewayHooks {
  /** `Node Control/Reboot` was accepted: the caller stops the gateway and exits for systemd to restart it. */
  readonly onReboot?: () => void
  /** Replaces the configured outbox (tests, benchmarks). */
  readonly outbox?: Outbox
}

/**
 * Wires the pipeline starting at the sink (outbox → upstream → node state and recorder → pump
 * → poll loops) and starts it. Resolves once running, not once connected: with the broker down the gateway
 * is up and buffering.
 */
export async function startGateway(config: GatewayConfig, log: Log, hooks: GatewayHooks = {}): Promise<Gateway> {
  prepareStateDir(config.stateDir, log)
  const runtimeDir = runtimeDirFor(config.stateDir)
  const buffer = config.buffer
  const opened =
    hooks.outbox !== undefined || buffer.path === null
      ? null
      : openBuffer({ path: buffer.path, maxSizeBytes: buffer.maxSizeBytes, whenFull: buffer.whenFull, durability: buffer.durability, runtimeDir, log: log.child({ part: 'buffer' }) })
  const outbox = hooks.outbox ?? opened?.outbox ?? createMemoryOutbox({ whenFull: buffer.whenFull })
  const bdSeq = createFileBdSeqStore(config.stateDir, log.child({ part: 'bdseq' }), runtimeDir)
  const upstreamConfig = config.upstream.mqtt ?? config.upstream.nats
  // Only the upstream the configuration names is loaded: each client package costs 10-20 MiB resident.
  const upstream = config.upstream.mqtt !== undefined
    ? (await import('./upstream/mqtt-upstream.js')).createMqttUpstream(config.upstream.mqtt, log.child({ upstream: 'mqtt' }))
    : (await import('./upstream/nats-upstream.js')).createNatsUpstream(config.upstream.nats, log.child({ upstream: 'nats' }))

  const heartbeatMs = upstream.capabilities.will ? 0 : upstream.capabilities.heartbeatMs
  const state = new NodeState([...nodeMetricDefs(0, heartbeatMs), ...bufferMetricDefs()], [])
  const commandsConfig = config.commands ?? defaults.commands
  const audit = new CommandAudit(log, { valueLength: commandsConfig.auditValueLength })
  const pumpProgress = new PumpProgress()
  // The pump and the recorder need each other: the recorder wakes the pump directly (once per
  // reading), the pump asks the recorder where births stand (once per birth) and hands it commands.
  const pump: Pump = new Pump({
    clock: pumpProgress.clock,
    node: config.sparkplug,
    state,
    payloads: new PayloadBuilder(state),
    order: { lastRecordId: () => recorder.lastRecordId() },
    outbox,
    upstream,
    bdSeq,
    codec: { uint32Field: config.sparkplug.uint32Field },
    primaryHostId: config.sparkplug.primaryHostId,
    reconnect: { minMs: upstreamConfig.reconnectMinMs, maxMs: upstreamConfig.reconnectMaxMs },
    log: log.child({ part: 'pump' }),
    onCommand: (command, origin) => applyCommand(command, origin),
    onRefused: (refusal, origin) => audit.onRefused({ topic: origin, metric: refusal.metric, reason: refusal.reason }),
    onApplied: (metric, origin) => audit.onAccepted({ topic: origin, metric, value: true }),
    commandPolicy: commandsConfig,
  })
  const recorder = new Recorder(state, outbox, pump)
  const devices = new DeviceSet(recorder, log, { maxQueuedWrites: commandsConfig.maxQueuedWrites }, config.stateDir)
  const applyCommand = commandHandler(devices, recorder, audit, hooks.onReboot)
  pump.start()
  for (const device of config.devices) devices.start(device)
  const bufferSampler = startBufferSampler(outbox, recorder, () => pump.status().replayedMetrics)

  const node = { groupId: config.sparkplug.groupId, edgeNodeId: config.sparkplug.edgeNodeId, version: softwareVersion }
  const status = (): GatewayStatus => ({
    node,
    upstream: pump.status(),
    devices: devices.stats(),
    buffer: { ...outbox.stats(), replayRate: bufferSampler.replayRate() },
    commands: audit.counts(),
    state: stateStatus(),
    warnings: log.recentWarnings?.() ?? [],
  })
  const stateStatus = (): StateStatus => {
    const files = { bdseq: bdSeq.status(), buffer: opened?.status() ?? null }
    return { dir: config.stateDir, writable: files.bdseq.writable && (files.buffer?.writable ?? true), ...files }
  }
  const http = config.http === undefined
    ? null
    : await startHttpServer(config.http, status, log.child({ part: 'http' }), state).catch((error: Error) => {
        log.error('cannot open the http listener; running without it', { listen: `${config.http!.host}:${config.http!.port}`, error: error.message })
        return null
      })

  log.info('gateway running', { devices: config.devices.length, node: `${config.sparkplug.groupId}/${config.sparkplug.edgeNodeId}` })

  let running = config
  return {
    status,
    async reload(next) {
      const applied = await applyReload(devices, running, next, log)
      running = applied.running
      return applied.plan
    },
    // A publish may wait for its acknowledgement until the upstream would find the connection dead.
    liveness: liveness({ pump: pumpProgress, pumpConnected: () => pump.status().connected, pumpQuietMs: 2 * upstreamConfig.keepaliveMs, devices: () => devices.loopsById() }),
    async stop() {
      bufferSampler.stop()
      await http?.close()
      await devices.stopAll()
      await pump.stop()
      outbox.close()
      await bdSeq.flushed()
      audit.flush()
    },
  }
}
