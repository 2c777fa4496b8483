import assert from 'node:assert/strict'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from 'node:test'
import { formatError, loadConfig } from '../../../gateway/config/load.js'
import { loadConfigOffThread } from '../../../gateway/config/load-off-thread.js'
import { freshDirs } from '../../helpers/fresh-dirs.js'

const fresh = freshDirs('gw-limits')

/** gateway.yaml and devices/ in a new directory; returns the path of gateway.yaml. */
function setup(devices: Record<string, string>, extra = ''): string {
  const dir = fresh()
  mkdirSync(join(dir, 'devices'))
  for (const [name, text] of Object.entries(devices)) writeFileSync(join(dir, 'devices', name), text)
  const file = join(dir, 'gateway.yaml')
  writeFileSync(file, `sparkplug: { groupId: Plant1, edgeNodeId: Gateway1 }\nupstream: { mqtt: { servers: ['mqtt://localhost:1883'] } }\ndevices: devices/\nstateDir: state/\n${extra}`)
  return file
}

const tagLines = (n: number) => Array.from({ length: n }, (_, i) => `  - { name: Tag${String(i).padStart(5, '0')}, signal: counter, period: 1s }`)
const simulator = (tags: string[]) => ['device: Big', 'driver: simulator', 'poll: 1s', 'tags:', ...tags].join('\n')

test('limits - the loader in its worker thread returns what loadConfig returns (each driver\'s example device)', async () => {
  const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../../../drivers/${path}`, import.meta.url)), 'utf8')
  const file = setup({
    'modbus.yaml': read('modbus/example.yaml'), 'example-tags.csv': read('modbus/example-tags.csv'),
    'opcua.yaml': read('opcua/example.yaml'), 'sim.yaml': read('simulator/example.yaml'),
  })
  const inThread = await loadConfig(file)
  if (!inThread.ok) assert.fail(inThread.error.map(formatError).join('\n'))
  assert.deepEqual((await loadConfigOffThread(file)).loaded, inThread)
})

test('limits - a YAML device file whose parse would not fit in memory is refused before it is parsed, at its first line', async () => {
  // 3.9 MiB, under the 4 MiB cap of a device file: 77,000 tags.
  const file = setup({ 'big.yaml': simulator(tagLines(77_000)) }, 'limits: { tagsPerDevice: 100000 }\n')
  for (const loaded of [await loadConfig(file), (await loadConfigOffThread(file)).loaded]) {
    assert.ok(!loaded.ok)
    assert.equal(loaded.error.length, 1)
    assert.match(formatError(loaded.error[0]!), /big\.yaml:1:1: parsing this 3\.\d MiB file would take about \d+ MiB of memory, over the 160 MiB a configuration file may use; write the tags as a CSV tag list/)
  }
})

test('limits - a CSV tag list over limits.tagsPerDevice is refused at the first row beyond it', async () => {
  const csv = ['name,signal,period', ...Array.from({ length: 12 }, (_, i) => `T${i},counter,1s`)].join('\n')
  const file = setup({ 'big.yaml': 'device: Big\ndriver: simulator\ntags: big.csv\n', 'big.csv': csv }, 'limits: { tagsPerDevice: 10 }\n')
  const loaded = await loadConfig(file)
  assert.ok(!loaded.ok)
  assert.deepEqual(loaded.error.map(formatError), [`${join(file, '..', 'devices', 'big.csv')}:12:1: row 11: 12 tags, over the limit of 10 per device (limits.tagsPerDevice in gateway.yaml)`])
})

test('limits - the default limit is 20,000 tags per device; limits.tagsPerDevice must be a whole number above 0', async () => {
  const over = await loadConfig(setup({ 'big.yaml': simulator(tagLines(20_001)) }))
  assert.ok(!over.ok)
  assert.match(formatError(over.error[0]!), /big\.yaml:20005:5: tags\[20000\]: 20001 tags, over the limit of 20000 per device/)
  assert.ok((await loadConfig(setup({ 'big.yaml': simulator(tagLines(20_000)) }))).ok)
  const zero = await loadConfig(setup({ 'big.yaml': simulator(tagLines(1)) }, 'limits: { tagsPerDevice: 0 }\n'))
  assert.ok(!zero.ok)
  assert.match(formatError(zero.error[0]!), /gateway\.yaml:5:\d+: limits\.tagsPerDevice: /)
})
