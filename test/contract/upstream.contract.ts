import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Upstream, UpstreamEvent } from '../../gateway/upstream/upstream.js'
import { UpstreamError } from '../../gateway/upstream/upstream.js'

/** What a probe on the server saw: topic, raw bytes and the QoS it was delivered with. */
export interface ProbeMessage {
  readonly topic: string
  readonly payload: Uint8Array
  readonly qos: number
}

/** A live server plus an upstream pointed at it (`servers[0]`), for one test. */
export interface UpstreamFixture {
  readonly upstream: Upstream
  /** Publishes from another client on the same server, as a host application would. */
  inject(topic: string, payload: Uint8Array, retain: boolean): Promise<void>
  /** Subscribes another client to `filter`; resolves once the subscription is active. */
  probe(filter: string): Promise<{ waitFor(p: (m: ProbeMessage) => boolean, timeoutMs: number): Promise<ProbeMessage>; close(): Promise<void> }>
  /** Makes the server disappear abruptly (process killed). */
  killServer(): Promise<void>
  /** Stops everything the fixture started. */
  close(): Promise<void>
}

const waitMs = 5000
const group = 'spBv1.0/Contract'
const will = { topic: `${group}/NDEATH/E1`, payload: Uint8Array.from([1]), qos: 1 as const, retain: false }

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

  withFixture('subscriptions are active when connect resolves: an injected command arrives', async (f) => {
    const seen = record(f.upstream)
    await f.upstream.connect({ server: 0, will, subscribe: [`${group}/NCMD/E1`] })
    await f.inject(`${group}/NCMD/E1`, Uint8Array.from([7, 8]), false)
    const event = await seen.next((e) => e.type === 'message', 'message')
    assert.deepEqual(event, { type: 'message', topic: `${group}/NCMD/E1`, payload: Buffer.from([7, 8]), retain: false })
  })

  withFixture('a retained message on a subscribed topic arrives with retain true', async (f) => {
    const seen = record(f.upstream)
    await f.inject('spBv1.0/STATE/Host1', Buffer.from('{"online":true}'), true)
    await f.upstream.connect({ server: 0, will, subscribe: ['spBv1.0/STATE/Host1'] })
    const event = await seen.next((e) => e.type === 'message', 'message')
    assert.equal(event.type === 'message' && event.retain, true)
  })

  withFixture('publish at QoS 0 and QoS 1 delivers the bytes', async (f) => {
    await f.upstream.connect({ server: 0, will, subscribe: [] })
    const probe = await f.probe(`${group}/#`)
    try {
      await f.upstream.publish({ topic: `${group}/NDATA/E1`, payload: Uint8Array.from([0]), qos: 0, retain: false })
      await f.upstream.publish({ topic: `${group}/DDATA/E1/D1`, payload: Uint8Array.from([1, 2, 3]), qos: 1, retain: false })
      const zero = await probe.waitFor((m) => m.topic === `${group}/NDATA/E1`, waitMs)
      const one = await probe.waitFor((m) => m.topic === `${group}/DDATA/E1/D1`, waitMs)
      assert.deepEqual([...zero.payload], [0])
      assert.deepEqual([...one.payload], [1, 2, 3])
      assert.equal(one.qos, 1)
    } finally {
      await probe.close()
    }
  })

  withFixture('down is emitted once when the server dies, and publish then rejects with closed', async (f) => {
    const seen = record(f.upstream)
    await f.upstream.connect({ server: 0, will, subscribe: [] })
    await f.killServer()
    const down = await seen.next((e) => e.type === 'down', 'down')
    assert.ok(down.type === 'down' && down.error instanceof Error)
    await assert.rejects(f.upstream.publish({ topic: `${group}/NDATA/E1`, payload: Uint8Array.from([0]), qos: 0, retain: false }), isClosed)
    await f.upstream.disconnect()
    assert.equal(seen.events.filter((e) => e.type === 'down').length, 1)
  })

  withFixture('disconnect is idempotent, emits no down, and publish afterwards rejects with closed', async (f) => {
    const seen = record(f.upstream)
    await f.upstream.disconnect()
    await f.upstream.connect({ server: 0, will, subscribe: [] })
    await Promise.all([f.upstream.disconnect(), f.upstream.disconnect()])
    await f.upstream.disconnect()
    await assert.rejects(f.upstream.publish({ topic: `${group}/NDATA/E1`, payload: Uint8Array.from([0]), qos: 1, retain: false }), isClosed)
    assert.deepEqual(seen.events, [])
  })

  withFixture('publish before any connect rejects with closed', async (f) => {
    await assert.rejects(f.upstream.publish({ topic: `${group}/NDATA/E1`, payload: Uint8Array.from([0]), qos: 0, retain: false }), isClosed)
  })
}
