import { drivers } from '../drivers/registry.js'
import { DeviceSet } from './runtime/device-set.js'
import { planReload, type ReloadPlan, type SharedBus } from './runtime/reload-plan.js'
import type { DeviceConfig, GatewayConfig } from './config/types.js'
import type { Log } from './model/log.js'
import { startHttpServer } from './http/server.js'
import { createMemoryOutbox } from './outbox/memory-outbox.js'
import { openBuffer } from './outbox/sqlite-fallback.js'
import type { Outbox } from './outbox/outbox.js'
import { bufferMetricDefs, bufferMetrics, BUFFER_METRICS_INTERVAL_MS } from './runtime/buffer-metrics.js'
import { Deadband } from './normalise/deadband.js'
import { createFileBdSeqStore } from './sparkplug/bdseq.js'
import { runtimeDirFor } from './base/runtime-dir.js'
import { prepareStateDir } from './base/private-dir.js'
import type { Command, CommandOutcome } from './sparkplug/commands.js'
import { nodeMetricDefs, REBOOT, SCAN_RATE, scanRateMetric } from './sparkplug/node-metrics.js'
import { Pump } from './sparkplug/pump.js'
import { Session } from './sparkplug/session.js'
import type { GatewayStatus, StateStatus } from './base/status.js'
import { CommandAudit } from './runtime/audit.js'
import { defaults } from './config/defaults.js'
import { liveness, PumpProgress, type Liveness } from './runtime/liveness.js'

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
 * Wires the pipeline starting at the sink (outbox → upstream → session → pump → poll loops)
 * and starts it. Resolves once running, not once connected: with the broker down the gateway
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
  const session = new Session([...nodeMetricDefs(0, heartbeatMs), ...bufferMetricDefs()], [])
  const commandsConfig = config.commands ?? defaults.commands
  const sink = {
    session,
    outbox,
    notify: () => pump.notify(),
    deviceChanged: (deviceId: string, online: boolean) => pump.deviceChanged(deviceId, online),
  }
  const devices = new DeviceSet(sink, log, { maxQueuedWrites: commandsConfig.maxQueuedWrites }, config.stateDir)

  const audit = new CommandAudit(log, { valueLength: commandsConfig.auditValueLength })

  const onCommand = async (command: Command, origin: string): Promise<CommandOutcome> => {
    if (command.type === 'write') {
      const loop = devices.loop(command.deviceId)
      if (loop === undefined) return { metric: command.tag.name, applied: false, reason: `device ${command.deviceId} was removed by a reload` }
      const outcome = await loop.write(command.tag, command.value)
      const fields = { topic: origin, metric: command.tag.name, value: String(command.value) }
      if (!outcome.ok) {
        audit.onRefused({ ...fields, reason: outcome.reason })
        return { metric: command.tag.name, applied: false, reason: outcome.reason }
      }
      audit.onAccepted({ ...fields, old: String(outcome.old), readBack: String(outcome.now) })
      return { metric: command.tag.name, applied: true, value: outcome.now }
    }
    if (command.type === 'reboot') {
      audit.onAccepted({ topic: origin, metric: REBOOT, value: true })
      hooks.onReboot?.()
      return { metric: REBOOT, applied: true }
    }
    if (command.type === 'scan-rate') {
      audit.onAccepted({ topic: origin, metric: SCAN_RATE, value: command.ms })
      for (const loop of devices.loops()) loop.setScanRate(command.ms)
      const record = session.data(null, [scanRateMetric(command.ms, Date.now())])
      if (record !== null) outbox.add(record)
      pump.notify()
      return { metric: SCAN_RATE, applied: true, value: command.ms }
    }
    return { metric: command.type, applied: false, reason: 'handled by the pump' }
  }

  const pumpProgress = new PumpProgress()
  const pump = new Pump({
    clock: pumpProgress.clock,
    node: config.sparkplug,
    session,
    outbox,
    upstream,
    bdSeq,
    codec: { uint32Field: config.sparkplug.uint32Field },
    primaryHostId: config.sparkplug.primaryHostId,
    reconnect: { minMs: upstreamConfig.reconnectMinMs, maxMs: upstreamConfig.reconnectMaxMs },
    log: log.child({ part: 'pump' }),
    onCommand,
    onRefused: (refusal, origin) => audit.onRefused({ topic: origin, metric: refusal.metric, reason: refusal.reason }),
    onApplied: (metric, origin) => audit.onAccepted({ topic: origin, metric, value: true }),
    commandPolicy: commandsConfig,
  })
  pump.start()
  for (const device of config.devices) devices.start(device)
  // Births carry the buffer's state at start (a restart with a backlog shows it at once).
  const bufferDeadband = new Deadband()
  for (const metric of bufferMetrics(outbox.stats(), 0, Date.now())) bufferDeadband.accept(metric.name, metric.value, 0)
  session.data(null, bufferMetrics(outbox.stats(), 0, Date.now()))
  let replayedBefore = 0
  const sampleBuffer = setInterval(() => {
    const replayed = pump.status().replayedMetrics
    const rate = ((replayed - replayedBefore) * 1000) / BUFFER_METRICS_INTERVAL_MS
    replayedBefore = replayed
    const changed = bufferMetrics(outbox.stats(), rate, Date.now()).filter((m) => bufferDeadband.accept(m.name, m.value, 0))
    const record = session.data(null, changed)
    if (record === null) return
    outbox.add(record)
    pump.notify()
  }, BUFFER_METRICS_INTERVAL_MS)
  sampleBuffer.unref()

  const status = (): GatewayStatus => ({
    upstream: pump.status(),
    devices: devices.stats(),
    buffer: outbox.stats(),
    commands: audit.counts(),
    state: stateStatus(),
  })
  const stateStatus = (): StateStatus => {
    const files = { bdseq: bdSeq.status(), buffer: opened?.status() ?? null }
    return { dir: config.stateDir, writable: files.bdseq.writable && (files.buffer?.writable ?? true), ...files }
  }
  const http = config.http === undefined
    ? null
    : await startHttpServer(config.http, status, log.child({ part: 'http' })).catch((error: Error) => {
        log.error('cannot open the http listener; running without it', { listen: `${config.http!.host}:${config.http!.port}`, error: error.message })
        return null
      })

  log.info('gateway running', { devices: config.devices.length, node: `${config.sparkplug.groupId}/${config.sparkplug.edgeNodeId}` })

  let running = config
  return {
    status,
    async reload(next) {
      const plan = planReload(running, next, sharedBusOf)
      for (const deviceId of plan.removed) {
        const dropped = await devices.remove(deviceId)
        log.info('device removed', { device: deviceId, droppedRecords: dropped })
      }
      for (const device of plan.changed) {
        await devices.replace(device)
        log.info('device reopened with its new settings', { device: device.deviceId })
      }
      for (const device of plan.added) {
        devices.start(device)
        log.info('device added', { device: device.deviceId })
      }
      for (const section of plan.needsRestart) log.warn('a restart is needed to apply this change; the running settings stay', { section: `${section} in ${next.file}` })
      running = { ...running, devices: next.devices, devicesDir: next.devicesDir }
      return plan
    },
    // A publish may wait for its acknowledgement until the upstream would find the connection dead.
    liveness: liveness({ pump: pumpProgress, pumpConnected: () => pump.status().connected, pumpQuietMs: 2 * upstreamConfig.keepaliveMs, devices: () => devices.loopsById() }),
    async stop() {
      clearInterval(sampleBuffer)
      await http?.close()
      await devices.stopAll()
      await pump.stop()
      outbox.close()
      await bdSeq.flushed()
      audit.flush()
    },
  }
}

function sharedBusOf(device: DeviceConfig): SharedBus | null {
  return drivers[device.driver]?.sharedBus?.(device.driverConfig) ?? null
}
