import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { startMosquitto } from '../helpers/mosquitto.js'

const run = promisify(execFile)
const upstreamModule = new URL('../../gateway/upstream/mqtt-upstream.js', import.meta.url).href
const logModule = new URL('../../gateway/runtime/log.js', import.meta.url).href
const kitModule = new URL('../helpers/mqtt-upstream-kit.js', import.meta.url).href

// A fresh process: the test runner's own subscribers load all of mqtt.js.
const child = (url: string) => `
import { createRequire } from 'node:module'
const { createMqttUpstream } = await import(${JSON.stringify(upstreamModule)})
const { silentLog } = await import(${JSON.stringify(logModule)})
const kit = await import(${JSON.stringify(kitModule)})
const upstream = createMqttUpstream(kit.mqttConfig([${JSON.stringify(url)}], '3.1.1'), silentLog)
await upstream.connect({ server: 0, will: kit.deathOf('x'), ...kit.testNode })
await upstream.publish(kit.messageTo('spBv1.0/G/NBIRTH/E', 'birth'))
await upstream.disconnect()
const packages = new Set(Object.keys(createRequire(${JSON.stringify(upstreamModule)}).cache).map((f) => f.split('/node_modules/').at(-1).split('/')[0]))
console.log(JSON.stringify([...packages]))
`

test('an mqtt:// upstream connects and publishes without loading the WebSocket and SOCKS transports (ws, socks, ip-address stay off the heap)', async (t) => {
  const broker = await startMosquitto()
  t.after(() => broker.stop())
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', child(broker.url)], { timeout: 20_000 })
  const packages = JSON.parse(stdout) as string[]
  assert.ok(packages.includes('mqtt'), `mqtt.js is what connected: ${packages.join(' ')}`)
  for (const unused of ['ws', 'socks', 'ip-address']) assert.ok(!packages.includes(unused), `${unused} loaded: ${packages.join(' ')}`)
})
