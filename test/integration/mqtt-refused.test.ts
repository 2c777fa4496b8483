import assert from 'node:assert/strict'
import { test } from 'node:test'
import { silentLog } from '../../gateway/runtime/log.js'
import { createMqttUpstream } from '../../gateway/upstream/mqtt-upstream.js'
import { UndeliverableError, UpstreamError } from '../../gateway/upstream/upstream.js'
import { startMosquitto } from '../helpers/mosquitto.js'
import { deathOf, messageTo, mqttConfig, testNode } from '../helpers/mqtt-upstream-kit.js'

test('MQTT 5 upstream - a PUBACK refusing a message for good (0x87 not authorized by the ACL) is an UndeliverableError naming the topic; the session stays and other publishes are taken', async (t) => {
  const acl = ['user gw', 'topic write spBv1.0/G/NDEATH/E', 'topic write spBv1.0/G/DDATA/E/Allowed', 'topic read spBv1.0/G/NCMD/E', 'topic read spBv1.0/G/DCMD/E/+'].join('\n')
  const broker = await startMosquitto({ users: { gw: 'gw-pw' }, acl })
  const upstream = createMqttUpstream(mqttConfig([broker.url], '5', { dataQos: 1, username: 'gw', password: 'gw-pw' }), silentLog)
  let downs = 0
  upstream.onEvent((e) => void (e.type === 'down' ? downs++ : undefined))
  t.after(async () => {
    await upstream.disconnect()
    await broker.stop()
  })
  await upstream.connect({ server: 0, will: deathOf('x'), ...testNode })
  const refused = await upstream.publish(messageTo('spBv1.0/G/DDATA/E/Denied', 'too much', 'data')).then(() => null, (e: unknown) => e)
  assert.ok(refused instanceof UndeliverableError, `refused for good: ${String(refused)}`)
  assert.match(refused.message, /spBv1\.0\/G\/DDATA\/E\/Denied/)
  assert.match(refused.message, /0x87/)
  assert.match(refused.message, /ACL/)
  await upstream.publish(messageTo('spBv1.0/G/DDATA/E/Allowed', 'fine', 'data'))
  assert.equal(downs, 0, 'the session stayed up')
  assert.ok(!(refused instanceof UpstreamError && refused.kind === 'refused'), 'not a refusal for now')
})
