import type { TagConfig } from '../../gateway/config/types.js'
import type { SparkplugType } from '../../gateway/model/value.js'
import { tagDefs } from '../../gateway/normalise/tag-def.js'
import { createMemoryOutbox } from '../../gateway/outbox/memory-outbox.js'
import { createMemoryBdSeqStore } from '../../gateway/pump/bdseq.js'
import { nodeMetricDefs } from '../../gateway/node/node-metrics.js'
import { Pump, type PumpOptions } from '../../gateway/pump/pump.js'
import { NodeState } from '../../gateway/node/node-state.js'
import { PayloadBuilder } from '../../gateway/sparkplug/payload-builder.js'
import { Recorder } from '../../gateway/node/recorder.js'
import type { UpstreamCapabilities } from '../../gateway/upstream/upstream.js'
import { FakeUpstream, recordingLog } from './fake-upstream.js'
import type { ManualClock } from './manual-clock.js'

export const node = { groupId: 'Plant', edgeNodeId: 'Edge1' }
export const codec = { uint32Field: 'int_value' } as const

function tags(list: readonly { name: string; type: SparkplugType; writable?: boolean }[]) {
  const configs: TagConfig[] = list.map((t) => ({ pollMs: 1000, deadband: 0, writable: false, writeIntervalMs: 0, ...t }))
  return tagDefs(configs, list)
}

export interface RigOptions extends Partial<PumpOptions> {
  readonly servers?: string[]
  readonly bdSeqStart?: number
  readonly capabilities?: Partial<UpstreamCapabilities>
}

/**
 * A pump on a fake upstream, one online device `Boiler1` with a counter `Count` and a writable
 * `Setpoint`, reconnecting at once. Commands other than rebirth and next server are recorded and
 * answered as applied.
 */
export function pumpRig(options: RigOptions = {}) {
  const upstream = new FakeUpstream(options.servers, options.capabilities)
  const heartbeatMs = upstream.capabilities.will ? 0 : upstream.capabilities.heartbeatMs
  const session = new NodeState(nodeMetricDefs(0, heartbeatMs), [{ deviceId: 'Boiler1', tags: tags([{ name: 'Count', type: 'Int32' }, { name: 'Setpoint', type: 'Int32', writable: true }]) }])
  session.setOnline('Boiler1', true)
  const outbox = createMemoryOutbox()
  const bdSeq = createMemoryBdSeqStore(options.bdSeqStart ?? 0)
  const log = recordingLog()
  const commands: string[] = []
  const recorder: Recorder = new Recorder(session, outbox, {
    notify: () => pump.notify(),
    deviceChanged: (deviceId: string, online: boolean): boolean => pump.deviceChanged(deviceId, online),
    definitionsChanged: (): void => pump.definitionsChanged(),
  })
  const pump: Pump = new Pump({
    node,
    state: session,
    payloads: new PayloadBuilder(session),
    order: recorder,
    outbox,
    upstream,
    bdSeq,
    codec,
    reconnect: { minMs: 1, maxMs: 1 },
    log,
    onCommand: async (command) => {
      commands.push(command.type)
      return { metric: command.type === 'write' ? command.tag.name : command.type, applied: true, ...(command.type === 'write' ? { value: command.value } : {}) }
    },
    onRefused: (refusal) => commands.push(`refused ${refusal.metric}`),
    onApplied: (metric) => commands.push(`applied ${metric}`),
    ...options,
  })
  const add = (value: number, at = Date.now()) => recorder.data('Boiler1', [{ name: 'Count', type: 'Int32', value, at }], at)
  return { upstream, session, outbox, bdSeq, log, pump, add, commands }
}

/** Moves the clock and waits until the pump has been round its loop and gone back to sleep. */
export async function goRound(clock: ManualClock, ms: number, pump: { notify(): void }): Promise<void> {
  const asked = clock.asked.length
  clock.advance(ms)
  pump.notify()
  await waitUntil(() => clock.asked.length > asked)
}

/** Polls a condition the pump reaches through several event-loop turns; bounded. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

/** Starts the pump, runs `steps`, and stops the pump whether they passed or threw. */
export async function whileRunning(pump: { start(): void; stop(): Promise<void> }, steps: () => Promise<void>): Promise<void> {
  pump.start()
  try {
    await steps()
  } finally {
    await pump.stop()
  }
}

/** `whileRunning`, with `steps` starting once the device is born (its first DBIRTH published). */
export function onceBorn(pump: { start(): void; stop(): Promise<void> }, upstream: FakeUpstream, steps: () => Promise<void>): Promise<void> {
  return whileRunning(pump, async () => {
    await upstream.waitForPublish('DBIRTH', 1)
    await steps()
  })
}
