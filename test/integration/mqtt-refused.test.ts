import assert from 'node:assert/strict'
import { test, type TestContext } from 'node:test'
import { silentLog } from '../../gateway/runtime/log.js'
import { createMqttUpstream } from '../../gateway/upstream/mqtt-upstream.js'
import { UndeliverableError, UpstreamError } from '../../gateway/upstream/upstream.js'
import { startMosquitto, type MosquittoOptions } from '../helpers/mosquitto.js'
import { deathOf, messageTo, mqttConfig, testNode } from '../helpers/mqtt-upstream-kit.js'

/** A broker with `options` and an MQTT 5 upstream connected to it at QoS 1; `downs()` counts its down events. */
async function connected(t: TestContext, options: MosquittoOptions, login: { username?: string; password?: string } = {}) {
  const broker = await startMosquitto(options)
  const upstream = createMqttUpstream(mqttConfig([broker.url], '5', { dataQos: 1, ...login }), silentLog)
  let downs = 0
  upstream.onEvent((e) => void (e.type === 'down' ? downs++ : undefined))
  t.after(async () => {
    await upstream.disconnect()
    await broker.stop()
  })
  await upstream.connect({ server: 0, will: deathOf('x'), ...testNode })
  const publish = (topic: string, payload: string) => upstream.publish(messageTo(topic, payload, 'data')).then(() => null, (e: unknown) => e)
  return { upstream, publish, downs: () => downs }
}

test('MQTT 5 upstream - a PUBACK refusing a message for good (0x87 not authorized by the ACL) is an UndeliverableError naming the topic; the session stays and other publishes are taken', async (t) => {
  const acl = ['user gw', 'topic write spBv1.0/G/NDEATH/E', 'topic write spBv1.0/G/DDATA/E/Allowed', 'topic read spBv1.0/G/NCMD/E', 'topic read spBv1.0/G/DCMD/E/+'].join('\n')
  const { upstream, publish, downs } = await connected(t, { users: { gw: 'gw-pw' }, acl }, { username: 'gw', password: 'gw-pw' })
  const refused = await publish('spBv1.0/G/DDATA/E/Denied', 'too much')
  assert.ok(refused instanceof UndeliverableError, `refused for good: ${String(refused)}`)
  assert.match(refused.message, /spBv1\.0\/G\/DDATA\/E\/Denied/)
  assert.match(refused.message, /0x87/)
  assert.match(refused.message, /ACL/)
  await upstream.publish(messageTo('spBv1.0/G/DDATA/E/Allowed', 'fine', 'data'))
  assert.equal(downs(), 0, 'the session stayed up')
  assert.ok(!(refused instanceof UpstreamError && refused.kind === 'refused'), 'not a refusal for now')
})

test("MQTT 5 upstream - a message over the broker's advertised maximum packet size is refused for good before it is sent, naming the limit; the session stays up (the broker would end it)", async (t) => {
  const { upstream, publish, downs } = await connected(t, { maxPacketSize: 1024 })
  const refused = await publish('spBv1.0/G/DDATA/E/Big', 'x'.repeat(2000))
  assert.ok(refused instanceof UndeliverableError, `refused for good: ${String(refused)}`)
  assert.match(refused.message, /spBv1\.0\/G\/DDATA\/E\/Big/)
  assert.match(refused.message, /1024 bytes/)
  // 31 bytes of PUBLISH header at QoS 1 on this topic: 993 payload bytes make a packet of exactly 1024.
  const overByOne = await publish('spBv1.0/G/DDATA/E/Small', 'x'.repeat(994))
  assert.ok(overByOne instanceof UndeliverableError, 'a packet of 1025 bytes is refused')
  await upstream.publish(messageTo('spBv1.0/G/DDATA/E/Small', 'x'.repeat(993), 'data'))
  assert.equal(downs(), 0, 'the session stayed up: the broker took the packet of exactly its limit')
})
