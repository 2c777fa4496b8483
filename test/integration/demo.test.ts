import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const cli = fileURLToPath(new URL('../../gateway/cli.js', import.meta.url))

test('demo - runs with no setup and shows decoded births, data and the orderly deaths', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [cli, 'demo', '--duration', '3s'], { timeout: 30_000 })
  const order = ['NBIRTH/Edge1', 'DBIRTH/Edge1/Boiler1', 'DDATA/Edge1/', 'DDEATH/Edge1/Boiler1', 'NDEATH/Edge1']
  const at = order.map((topic) => stdout.indexOf(`spBv1.0/Demo/${topic}`))
  for (const [i, index] of at.entries()) assert.ok(index >= 0, `demo output lacks ${order[i]}:\n${stdout.slice(0, 2000)}`)
  assert.deepEqual([...at].sort((a, b) => a - b), at, 'births, then data, then deaths')
  assert.match(stdout, /Burner\/Setpoint \(\d+\) Double = 70/)
  assert.match(stdout, /spBv1\.0\/Demo\/DBIRTH\/Edge1\/Oven1 [^\n]*\n(  [^\n]*\n)*  Setpoint \(\d+\) Double = 180 /, 'the OPC UA oven is born with its setpoint')
})
