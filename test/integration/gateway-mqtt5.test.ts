import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { removeDir, startGatewayProcess, writeGatewayConfig } from '../helpers/gateway-process.js'
import { startMosquitto } from '../helpers/mosquitto.js'
import { metricOf, observeSparkplug } from '../helpers/sparkplug-observer.js'
import { simDevice } from '../helpers/sim-device.js'

const T = 15_000
const cleanup: (() => Promise<void> | void)[] = []
after(async () => {
  for (const step of cleanup.reverse()) await step()
})

test('gateway over MQTT 5 - births, then an orderly stop: NDEATH published and, by DISCONNECT reason 0x04, the will too (tck disconnect-mqtt50)', async () => {
  const broker = await startMosquitto()
  cleanup.push(() => broker.stop())
  const observer = await observeSparkplug(broker.url)
  cleanup.push(() => observer.close())
  const { dir, file } = writeGatewayConfig({ servers: [broker.url], version: '5', devices: { sim1: simDevice('Sim1') } })
  cleanup.push(() => removeDir(dir))
  const gateway = startGatewayProcess(file)
  cleanup.push(() => void gateway.kill('SIGKILL'))
  const nbirth = await observer.waitFor((m) => m.type === 'NBIRTH', T)
  await observer.waitFor((m) => m.type === 'DBIRTH', T)
  assert.equal(await gateway.kill('SIGTERM'), 0)
  const deaths = await observer.waitForCount((m) => m.type === 'NDEATH', 2, T)
  for (const ndeath of deaths) assert.equal(metricOf(ndeath.payload, 'bdSeq')!.value, metricOf(nbirth.payload, 'bdSeq')!.value)
})
