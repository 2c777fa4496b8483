import assert from 'node:assert/strict'
import { test } from 'node:test'
import { HostState } from '../../../gateway/pump/host-state.js'

const state = (json: unknown): Uint8Array => new TextEncoder().encode(typeof json === 'string' ? json : JSON.stringify(json))

test('host-state - the host is offline until an online STATE arrives (tck-id message-flow-edge-node-birth-publish-phid-wait)', () => {
  const host = new HostState('SCADA')
  assert.equal(host.isOnline(0), false)
  assert.deepEqual(host.apply(0, state({ online: true, timestamp: 1000 })), { online: true })
  assert.equal(host.isOnline(0), true)
})

test('host-state - online:false keeps the host offline (tck-id message-flow-edge-node-birth-publish-phid-wait-online)', () => {
  const host = new HostState('SCADA')
  assert.deepEqual(host.apply(0, state({ online: false, timestamp: 1000 })), { online: false })
  assert.equal(host.isOnline(0), false)
})

test('host-state - only JSON {online: boolean, timestamp: number} counts; anything else is ignored', () => {
  const host = new HostState('SCADA')
  const invalid = [
    'ONLINE', 'OFFLINE', '', 'null', '[]', '42', '{"online":true}', '{"timestamp":5}',
    '{"online":"true","timestamp":5}', '{"online":1,"timestamp":5}', '{"online":true,"timestamp":"5"}',
    '{"online":true,"timestamp":null}', '{"online":true,"timestamp":5', '\u0000\u0001',
  ]
  for (const text of invalid) {
    assert.equal(host.apply(0, state(text)), null, text)
    assert.equal(host.isOnline(0), false, text)
  }
})

test('host-state - an ignored payload does not move the timestamp', () => {
  const host = new HostState('SCADA')
  host.apply(0, state({ online: false, timestamp: 2000 }))
  host.apply(0, state('{"online":true,"timestamp":"9999"}'))
  assert.equal(host.apply(0, state({ online: true, timestamp: 1999 })), null)
})

test('host-state - a STATE older than the last one seen is ignored (tck-id message-flow-edge-node-birth-publish-phid-wait-timestamp)', () => {
  const host = new HostState('SCADA')
  host.apply(0, state({ online: false, timestamp: 2000 }))
  assert.equal(host.apply(0, state({ online: true, timestamp: 1000 })), null)
  assert.equal(host.isOnline(0), false)
})

test('host-state - an offline STATE older than the last online does not take the host down (tck-id operational-behavior-edge-node-termination-host-offline-timestamp)', () => {
  const host = new HostState('SCADA')
  host.apply(0, state({ online: true, timestamp: 5000 }))
  assert.equal(host.apply(0, state({ online: false, timestamp: 4999 })), null)
  assert.equal(host.isOnline(0), true)
})

test('host-state - an offline STATE with an equal timestamp is valid (tck-id message-flow-edge-node-birth-publish-phid-offline)', () => {
  const host = new HostState('SCADA')
  host.apply(0, state({ online: true, timestamp: 5000 }))
  assert.deepEqual(host.apply(0, state({ online: false, timestamp: 5000 })), { online: false })
  assert.equal(host.isOnline(0), false)
  assert.deepEqual(host.apply(0, state({ online: true, timestamp: 5000 })), { online: true })
})

test('host-state - timestamps are kept per server (tck-id operational-behavior-host-application-multi-server-timestamp)', () => {
  const host = new HostState('SCADA')
  host.apply(0, state({ online: true, timestamp: 9000 }))
  assert.deepEqual(host.apply(1, state({ online: true, timestamp: 100 })), { online: true })
  assert.equal(host.isOnline(1), true)
  assert.equal(host.isOnline(0), true)
  assert.equal(host.apply(1, state({ online: false, timestamp: 50 })), null)
})

test('host-state - disconnected() forgets online but keeps the timestamp, so a stale retained STATE cannot bring the host back', () => {
  const host = new HostState('SCADA')
  host.apply(0, state({ online: true, timestamp: 5000 }))
  host.disconnected(0)
  assert.equal(host.isOnline(0), false)
  assert.equal(host.apply(0, state({ online: true, timestamp: 4000 })), null)
  assert.equal(host.isOnline(0), false)
  assert.deepEqual(host.apply(0, state({ online: true, timestamp: 5000 })), { online: true })
  assert.equal(host.isOnline(0), true)
})
