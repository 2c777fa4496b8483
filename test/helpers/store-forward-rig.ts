import { startGatewayProcess, removeDir, writeGatewayConfig, type GatewayProcess, type GatewaySetup } from './gateway-process.js'
import { httpUrlOf, scrapeMetrics, waitForMetric } from './gateway-http.js'
import { startMosquitto, type Broker } from './mosquitto.js'
import { observeDurably, type DurableObserver, type ReceivedMessage } from './durable-observer.js'
import { checkDelivery, counterSamples, COUNTER_ORIGIN, ranges } from './counter-samples.js'

/** A persistent-session broker, a durable subscriber and the gateway as a process, for outage tests. */
export interface Rig {
  readonly broker: Broker
  readonly observer: DurableObserver
  /** The running gateway; replaced by `restartGateway`. */
  gateway: GatewayProcess
  /** Base URL of the gateway's HTTP listener (changes on restart). */
  http: string
  /** The gateway's config directory; the buffer lives under it. */
  readonly dir: string
  /** Starts the gateway again on the same config and state (after a kill). */
  restartGateway(timeoutMs: number): Promise<void>
  /** Kills the gateway (SIGKILL), stops the broker and the subscriber, removes the directory. */
  close(): Promise<void>
}

export async function startRig(setup: Omit<GatewaySetup, 'servers'>, timeoutMs: number): Promise<Rig> {
  const broker = await startMosquitto({ persistence: true })
  const observer = await observeDurably(broker.url, setup.groupId)
  const { dir, file } = writeGatewayConfig({ ...setup, servers: [broker.url] })
  const gateway = startGatewayProcess(file)
  const rig: Rig = {
    broker,
    observer,
    gateway,
    http: '',
    dir,
    async restartGateway(ms) {
      rig.gateway = startGatewayProcess(file)
      rig.http = await httpUrlOf(rig.gateway, ms)
    },
    async close() {
      await rig.gateway.kill('SIGKILL')
      await observer.close()
      await broker.stop()
      removeDir(dir)
    },
  }
  rig.http = await httpUrlOf(gateway, timeoutMs)
  return rig
}

/** Live (not historical) DDATA of `deviceId`. */
export const liveData = (deviceId: string) => (m: ReceivedMessage): boolean =>
  m.type === 'DDATA' && m.deviceId === deviceId && m.payload.metrics.some((x) => x.isHistorical !== true)

/** The simulator counter's value at `t`. */
export const counterAt = (t: number, periodMs: number): number => Math.floor((t - COUNTER_ORIGIN) / periodMs)

/** Arrival positions of every NBIRTH: the starts of the gateway's sessions. */
export const sessionStarts = (messages: readonly ReceivedMessage[]): number[] =>
  messages.flatMap((m, i) => (m.type === 'NBIRTH' ? [i] : []))

/** Waits until `count` more records than now sit in the gateway's buffer (an outage has lasted that long). */
export async function waitForBuffered(rig: Rig, count: number, timeoutMs: number): Promise<void> {
  const base = (await scrapeMetrics(rig.http)).get('sparkplug_gateway_buffer_records')!
  await waitForMetric(rig.http, 'sparkplug_gateway_buffer_records', (n) => n >= base + count, timeoutMs)
}

/** Checks the counter values Sim-style device `deviceId` delivered around an outage; reports the counts. */
export function deliveryOf(rig: Rig, deviceId: string, periodMs: number, outage: { from: number; to: number }, report: (text: string) => void) {
  const samples = counterSamples(rig.observer.messages, deviceId)
  const counts = checkDelivery(samples, periodMs, outage, sessionStarts(rig.observer.messages))
  report(`values ${counts.first}-${counts.last}: ${counts.values} distinct, ${counts.live} live, ${counts.historical} historical, ` +
    `${counts.replayedAgain} arrived a second time as history (rolling window), missing: ${ranges(counts.missing)}`)
  return { samples, counts, during: samples.filter((s) => s.at > outage.from && s.at < outage.to) }
}
