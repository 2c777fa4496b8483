import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { MessageType, SparkplugAddress } from '../../gateway/base/topics.js'
import type { Message, Upstream, UpstreamEvent } from '../../gateway/upstream/upstream.js'
import { UpstreamError } from '../../gateway/upstream/upstream.js'

/** What a probe on the server saw: where, and the raw bytes. */
export interface ProbeMessage {
  readonly address: SparkplugAddress
  readonly payload: Uint8Array
}

/** A live server plus an upstream pointed at it (`servers[0]`), for one test. */
export interface UpstreamFixture {
  readonly upstream: Upstream
  /** Publishes from another client on the same server, as a host application would. */
  inject(address: SparkplugAddress, payload: Uint8Array, retain: boolean): Promise<void>
  /** Subscribes another client to every message of group `Contract`; resolves once the subscription is active. */
  probe(): Promise<{ waitFor(p: (m: ProbeMessage) => boolean, timeoutMs: number): Promise<ProbeMessage>; close(): Promise<void> }>
  /** Makes the server disappear abruptly (process killed). */
  killServer(): Promise<void>
  /** Stops everything the fixture started. */
  close(): Promise<void>
}

const waitMs = 5000
const node = { groupId: 'Contract', edgeNodeId: 'E1' }
const listen = { node, primaryHostId: 'Host1' }
const at = (type: MessageType, deviceId: string | null = null): SparkplugAddress => ({ type, ...node, deviceId })
const will: Message = { address: at('NDEATH'), payload: Uint8Array.from([1]), kind: 'session' }
const message = (address: SparkplugAddress, bytes: number[], kind: Message['kind'] = 'session'): Message => ({ address, payload: Uint8Array.from(bytes), kind })

/** Records every event of an upstream (it takes one listener) and lets a test await one. */
function record(upstream: Upstream) {
  const events: UpstreamEvent[] = []
  const waiters = new Set<() => void>()
  upstream.onEvent((event) => {
    events.push(event)
    for (const check of waiters) check()
  })
  const next = (predicate: (e: UpstreamEvent) => boolean, what: string): Promise<UpstreamEvent> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = events.find(predicate)
        if (!found) return
        waiters.delete(check)
        clearTimeout(timer)
        resolve(found)
      }
      const timer = setTimeout(() => {
        waiters.delete(check)
        reject(new Error(`no ${what} event within ${waitMs} ms; saw: ${events.map((e) => e.type).join(', ') || 'nothing'}`))
      }, waitMs)
      waiters.add(check)
      check()
    })
  return { events, next }
}

function isClosed(err: unknown): boolean {
  return err instanceof UpstreamError && err.kind === 'closed'
}

/**
 * The behaviour every Upstream must show against a real server. `build` starts a fresh server
 * and upstream per test.
 */
export function upstreamContract(name: string, build: () => Promise<UpstreamFixture>): void {
  const withFixture = (title: string, body: (f: UpstreamFixture) => Promise<void>): void => {
    test(`${name} - ${title}`, async () => {
      const fixture = await build()
      try {
        await body(fixture)
      } finally {
        await fixture.upstream.disconnect()
        await fixture.close()
      }
    })
  }

  withFixture('the node\'s commands are received once connect resolves: NCMD, and DCMD of any device', async (f) => {
    const seen = record(f.upstream)
    await f.upstream.connect({ server: 0, will, ...listen })
    await f.inject(at('NCMD'), Uint8Array.from([7, 8]), false)
    await f.inject(at('DCMD', 'Pump7'), Uint8Array.from([9]), false)
    const ncmd = await seen.next((e) => e.type === 'message' && e.address.type === 'NCMD', 'NCMD')
    const dcmd = await seen.next((e) => e.type === 'message' && e.address.type === 'DCMD', 'DCMD')
    assert.ok(ncmd.type === 'message' && dcmd.type === 'message')
    assert.deepEqual([ncmd.address, [...ncmd.payload], ncmd.retain], [at('NCMD'), [7, 8], false])
    assert.deepEqual([dcmd.address, [...dcmd.payload]], [at('DCMD', 'Pump7'), [9]])
    assert.ok(ncmd.origin.length > 0, 'origin names the topic or subject for the audit log')
  })

  withFixture('commands of another node or group are not received', async (f) => {
    const seen = record(f.upstream)
    await f.upstream.connect({ server: 0, will, ...listen })
    await f.inject({ type: 'NCMD', groupId: 'Contract', edgeNodeId: 'E2', deviceId: null }, Uint8Array.from([1]), false)
    await f.inject({ type: 'NCMD', groupId: 'Other', edgeNodeId: 'E1', deviceId: null }, Uint8Array.from([2]), false)
    await f.inject(at('NCMD'), Uint8Array.from([3]), false)
    const event = await seen.next((e) => e.type === 'message', 'message')
    assert.ok(event.type === 'message')
    assert.deepEqual([...event.payload], [3], 'the first message received is our own NCMD')
  })

  withFixture('the primary host STATE is received; where the server keeps it, a retained one arrives on connect', async (f) => {
    const seen = record(f.upstream)
    const state = Buffer.from('{"online":true,"timestamp":1}')
    const retained = f.upstream.capabilities.retainedState
    if (retained) await f.inject({ type: 'STATE', hostId: 'Host1' }, state, true)
    await f.upstream.connect({ server: 0, will, ...listen })
    if (!retained) await f.inject({ type: 'STATE', hostId: 'Host1' }, state, false)
    const event = await seen.next((e) => e.type === 'message', 'message')
    assert.ok(event.type === 'message')
    assert.deepEqual([event.address, Buffer.from(event.payload).toString(), event.retain], [{ type: 'STATE', hostId: 'Host1' }, state.toString(), retained])
  })

  withFixture('session and data messages arrive at their address with their bytes', async (f) => {
    await f.upstream.connect({ server: 0, will, ...listen })
    const probe = await f.probe()
    try {
      await f.upstream.publish(message(at('NBIRTH'), [0]))
      await f.upstream.publish(message(at('DDATA', 'D1'), [1, 2, 3], 'data'))
      const birth = await probe.waitFor((m) => m.address.type === 'NBIRTH', waitMs)
      const data = await probe.waitFor((m) => m.address.type === 'DDATA', waitMs)
      assert.deepEqual([...birth.payload], [0])
      assert.deepEqual([data.address, [...data.payload]], [at('DDATA', 'D1'), [1, 2, 3]])
    } finally {
      await probe.close()
    }
  })

  withFixture('down is emitted once when the server dies, and publish then rejects with closed', async (f) => {
    const seen = record(f.upstream)
    await f.upstream.connect({ server: 0, will, ...listen })
    await f.killServer()
    const down = await seen.next((e) => e.type === 'down', 'down')
    assert.ok(down.type === 'down' && down.error instanceof Error)
    await assert.rejects(f.upstream.publish(message(at('NDATA'), [0])), isClosed)
    await f.upstream.disconnect()
    assert.equal(seen.events.filter((e) => e.type === 'down').length, 1)
  })

  withFixture('disconnect is idempotent, emits no down, and publish afterwards rejects with closed', async (f) => {
    const seen = record(f.upstream)
    await f.upstream.disconnect()
    await f.upstream.connect({ server: 0, will, ...listen })
    await Promise.all([f.upstream.disconnect(), f.upstream.disconnect()])
    await f.upstream.disconnect()
    await assert.rejects(f.upstream.publish(message(at('NDATA'), [0], 'data')), isClosed)
    assert.deepEqual(seen.events, [])
  })

  withFixture('publish before any connect rejects with closed', async (f) => {
    await assert.rejects(f.upstream.publish(message(at('NDATA'), [0])), isClosed)
  })
}
