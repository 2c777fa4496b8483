import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { GatewayProcess, GatewaySetup } from '../helpers/gateway-process.js'
import { has, startNotifyListener, type NotifyListener, type NotifyMessage } from '../helpers/notify-listener.js'
import { closedPort } from '../helpers/ports.js'
import { startRig, type Rig } from '../helpers/rig.js'
import { simDevice } from '../helpers/sim-device.js'
import { startUnackingBroker } from '../helpers/unacking-broker.js'

// sd_notify as systemd sees it: a datagram socket of our own as NOTIFY_SOCKET, every message
// checked for its sender (the gateway's main pid, so NotifyAccess=main is enough).
const T = 20_000

async function gatewayWith(rig: Rig, servers: string[], env: Record<string, string>, extra: Partial<GatewaySetup> = {}): Promise<{ gateway: GatewayProcess; listener: NotifyListener }> {
  const listener = await startNotifyListener()
  rig.defer(() => listener.stop())
  const gateway = rig.startGateway({ servers, devices: { sim1: simDevice('Sim1') }, ...extra, env: { NOTIFY_SOCKET: listener.path, ...env } })
  return { gateway, listener }
}

const isWatchdog = (m: NotifyMessage) => has(m, 'WATCHDOG', '1')

test('notify - READY with the broker down: the gateway is up and buffering, and says so in STATUS', async (t) => {
  const { gateway, listener } = await gatewayWith(await startRig(t, { mosquitto: false }), [`mqtt://127.0.0.1:${await closedPort()}`], {})
  const ready = await listener.messages.waitFor((m) => has(m, 'READY', '1'), T)
  assert.equal(ready.pid, gateway.pid)
  assert.ok(ready.lines.some((l) => /^STATUS=upstream not connected \(buffering\); devices [01]\/1 online; buffer \d+ records$/.test(l)), ready.lines.join(' | '))
  // Without WATCHDOG_USEC no pings are sent at all.
  await listener.messages.waitFor((m) => has(m, 'STATUS') && m.lines.some((l) => l.includes('devices 1/1 online')), T)
  assert.equal(listener.messages.items.filter(isWatchdog).length, 0)
})

test('notify - READY, STATUS on change, WATCHDOG at half WATCHDOG_USEC, STOPPING at SIGTERM, all from the main pid', async (t) => {
  const rig = await startRig(t, { observer: 'none' })
  const { broker } = rig
  const { gateway, listener } = await gatewayWith(rig, [broker.url], { WATCHDOG_USEC: '1000000' })
  await listener.messages.waitFor((m) => has(m, 'READY', '1'), T)
  await listener.messages.waitFor((m) => m.lines.some((l) => l.startsWith(`STATUS=upstream connected ${broker.url}; devices 1/1 online; buffer `)), T)
  const pings = await listener.messages.waitForCount(isWatchdog, 6, T)
  const gaps = pings.slice(1).map((p, i) => p.at - pings[i]!.at).sort((a, b) => a - b)
  const median = gaps[Math.floor(gaps.length / 2)]!
  // Half of WATCHDOG_USEC: a timer never fires early; a gap of the whole interval would cost a restart.
  assert.ok(median >= 450 && median < 1000, `median gap between pings ${median} ms, expected about 500 (gaps ${gaps.map(Math.round).join(', ')})`)
  assert.ok(listener.messages.items.every((m) => m.pid === gateway.pid), 'every message comes from the gateway process itself')

  const exit = gateway.kill('SIGTERM')
  await listener.messages.waitFor((m) => has(m, 'STOPPING', '1'), T)
  assert.equal(await exit, 0)
})

test('notify - WATCHDOG pings stop while the pump is stalled (QoS 1 publishes never acknowledged) and resume when it moves again', async (t) => {
  const rig = await startRig(t, { mosquitto: false })
  const broker = await startUnackingBroker()
  rig.defer(() => broker.close())
  // keepalive 1s: the pump may wait 2 s for an acknowledgement (twice the keepalive) before it counts as stalled.
  const { gateway, listener } = await gatewayWith(rig, [broker.url], { WATCHDOG_USEC: '1000000' }, { dataQos: 1, keepalive: '1s' })
  const messages = listener.messages
  await messages.waitFor(isWatchdog, T)
  await gateway.waitForLine(/pipeline stalled: watchdog pings withheld.* part=pump/, T)
  assert.ok(broker.unacked() >= 64, `${broker.unacked()} publishes in flight`)
  // Datagrams from one sender arrive in order: count from the next STATUS (sent after the stall
  // was logged) over three more STATUS changes (at least 2 s of a growing buffer, 4 ping periods).
  const statusAfter = (m: NotifyMessage) => (x: NotifyMessage) => has(x, 'STATUS') && messages.items.indexOf(x) > messages.items.indexOf(m)
  const first = await messages.waitFor(statusAfter(messages.items.at(-1)!), T)
  let last = first
  for (let i = 0; i < 3; i++) last = await messages.waitFor(statusAfter(last), T)
  const during = messages.items.slice(messages.items.indexOf(first), messages.items.indexOf(last) + 1)
  assert.equal(during.filter(isWatchdog).length, 0, `no pings while stalled: ${during.map((m) => m.lines.join(' ')).join(' | ')}`)

  // The wedged broker goes away: the connection is lost, the pump reconnects with backoff, pings resume.
  await broker.close()
  await gateway.waitForLine(/watchdog pings resumed/, T)
  await messages.waitFor((m) => isWatchdog(m) && messages.items.indexOf(m) > messages.items.indexOf(last), T)
})

test('notify - RELOADING=1 with MONOTONIC_USEC, then READY=1, around a SIGHUP reload (also a refused one)', async (t) => {
  const { gateway, listener } = await gatewayWith(await startRig(t, { mosquitto: false }), [`mqtt://127.0.0.1:${await closedPort()}`], {})
  await listener.messages.waitFor((m) => has(m, 'READY', '1'), T)
  for (const round of [1, 2]) {
    gateway.reload()
    await gateway.waitForLines(/reloaded added=0 removed=0 changed=0 unchanged=1/, round, T)
    const readies = await listener.messages.waitForCount((m) => has(m, 'READY', '1'), round + 1, T)
    const reloading = listener.messages.items.filter((m) => has(m, 'RELOADING', '1'))
    assert.equal(reloading.length, round)
    const last = reloading[round - 1]!
    assert.ok(last.lines.some((l) => /^MONOTONIC_USEC=\d+$/.test(l)), `MONOTONIC_USEC with RELOADING: ${last.lines.join(' | ')}`)
    assert.ok(listener.messages.items.indexOf(last) < listener.messages.items.indexOf(readies[round]!), 'READY after RELOADING')
  }
})
