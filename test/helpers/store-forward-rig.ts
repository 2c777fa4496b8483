import type { TestContext } from 'node:test'
import { httpUrlOf, scrapeMetrics, waitForMetric } from './gateway-http.js'
import type { GatewayProcess, GatewaySetup } from './gateway-process.js'
import type { Broker } from './mosquitto.js'
import type { DurableObserver, ReceivedMessage } from './durable-observer.js'
import type { TestHost } from './host.js'
import { startRig as startProcesses } from './rig.js'
import { checkDelivery, counterSamples, COUNTER_ORIGIN, ranges } from './counter-samples.js'

/** A persistent-session broker, a durable subscriber and the gateway as a process, for outage tests. */
export interface Rig {
  readonly broker: Broker
  readonly observer: DurableObserver
  /** The running gateway; replaced by `restartGateway`. */
  readonly gateway: GatewayProcess
  /** Base URL of the gateway's HTTP listener (changes on restart). */
  http: string
  /** The gateway's config directory; the buffer lives under it. */
  readonly dir: string
  /** A stand-in host application, with `host: true`. */
  readonly host: TestHost
  /** Starts the gateway again on the same config and state (after a kill). */
  restartGateway(timeoutMs: number): Promise<void>
}

/** Everything is stopped by PID when the test ends. */
export async function startRig(t: TestContext, setup: Omit<GatewaySetup, 'servers'> & { host?: boolean }, timeoutMs: number): Promise<Rig> {
  const { host, ...config } = setup
  const processes = await startProcesses(t, { mosquitto: { persistence: true }, observer: 'durable', groupId: setup.groupId, host, gateway: config })
  const rig: Rig = {
    get broker() { return processes.broker },
    get observer() { return processes.durable },
    get gateway() { return processes.gateway },
    get dir() { return processes.dir },
    get host() { return processes.host },
    http: '',
    async restartGateway(ms) {
      rig.http = await httpUrlOf(processes.launchGateway(), ms)
    },
  }
  rig.http = await processes.http(timeoutMs)
  return rig
}

/** Stops the broker (SIGTERM unless told); resolves with the time it stopped once the gateway saw the connection go. */
export async function brokerOutage(rig: Rig, timeoutMs: number, signal?: 'SIGKILL'): Promise<number> {
  await rig.broker.stop(signal)
  const from = Date.now()
  await rig.gateway.waitForLine(/connection lost/, timeoutMs)
  return from
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
