import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createMqttUpstream } from '../../gateway/upstream/mqtt-upstream.js'
import { silentLog } from '../../gateway/runtime/log.js'
import { startEmbeddedBroker } from '../../gateway/runtime/embedded-broker.js'
import { observe } from '../helpers/mqtt-observer.js'
import { deathOf, mqttConfig, mqttContractParts, nextDown, takeOver, testNode, waitMs } from '../helpers/mqtt-upstream-kit.js'
import { upstreamContract } from '../contract/upstream.contract.js'

upstreamContract('mqtt-upstream on the embedded broker', async () => {
  const server = await startEmbeddedBroker()
  const upstream = createMqttUpstream(mqttConfig([server.url], '3.1.1'), silentLog)
  return {
    upstream,
    ...mqttContractParts(server.url, 4),
    killServer: () => server.close(),
    close: () => server.close(),
  }
})

test('embedded-broker - delivers the will of a session that is taken over', async () => {
  const server = await startEmbeddedBroker()
  const config = mqttConfig([server.url], '3.1.1')
  const upstream = createMqttUpstream(config, silentLog)
  const observer = await observe(server.url, 'spBv1.0/#', 4)
  try {
    await upstream.connect({ server: 0, will: deathOf('bdSeq=3'), ...testNode })
    const down = nextDown(upstream)
    await takeOver(server.url, config.clientId, 4)
    const death = await observer.waitFor((m) => m.topic === 'spBv1.0/G/NDEATH/E', waitMs)
    assert.equal(death.payload.toString(), 'bdSeq=3')
    assert.equal(death.qos, 1)
    await down
  } finally {
    await upstream.disconnect()
    await observer.close()
    await server.close()
  }
})
