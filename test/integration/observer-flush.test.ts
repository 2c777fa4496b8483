import assert from 'node:assert/strict'
import { test } from 'node:test'
import mqtt from 'mqtt'
import { startMosquitto } from '../helpers/mosquitto.js'
import { observe } from '../helpers/mqtt-observer.js'

// "Nothing was published" checks rely on flush(): a message already on its way to the observer
// when the check starts must be counted, not missed.
test('observer - flush() returns only after messages published before it have arrived; its probes are not counted', async () => {
  const broker = await startMosquitto()
  const observer = await observe(broker.url, 'spBv1.0/#')
  const publisher = await mqtt.connectAsync(broker.url, { reconnectPeriod: 0 })
  try {
    for (let round = 1; round <= 20; round++) {
      // QoS 0: resolves once the bytes are written to the socket, long before the observer has them.
      await new Promise<void>((resolve, reject) => publisher.publish(`spBv1.0/G/NDATA/E${round}`, 'x', { qos: 0 }, (error) => (error ? reject(error) : resolve())))
      await observer.flush()
      assert.equal(observer.messages.length, round, `round ${round}: the message published before flush was not there after it`)
    }
    assert.ok(observer.messages.every((m) => m.topic.startsWith('spBv1.0/')))
  } finally {
    await publisher.endAsync(true)
    await observer.close()
    await broker.stop()
  }
})
