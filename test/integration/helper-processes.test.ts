import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const helpers = (name: string) => fileURLToPath(new URL(`../helpers/${name}`, import.meta.url))

/** Running (a zombie waiting for its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z'
  } catch {
    return false
  }
}

/**
 * The PIDs of `pids` still running after up to 5 s. A SIGKILL sent by an exiting process lands a
 * moment later and no event tells another process when: this looks every 20 ms.
 */
async function survivors(pids: readonly number[]): Promise<number[]> {
  const deadline = Date.now() + 5000
  while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  return pids.filter(alive)
}

// A Modbus RTU setup that fails half-way, as when pymodbus cannot open its serial device: the
// socat pair is up, the server is not. The test process then dies of the error.
const failingSetup = `
import { startPtyPair } from ${JSON.stringify(helpers('socat.js'))}
import { startPymodbus } from ${JSON.stringify(helpers('pymodbus.js'))}
import { trackedPids } from ${JSON.stringify(helpers('children.js'))}
const pty = await startPtyPair()
console.log('helpers ' + trackedPids().join(' '))
await startPymodbus({ mode: 'rtu', device: '/nonexistent/serial-port', units: [1] })
`

test('helper processes - a setup that fails after socat started leaves no socat or pymodbus behind', async () => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', failingSetup], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  const pids = (stdout.match(/helpers ([\d ]+)/)?.[1] ?? '').split(' ').filter(Boolean).map(Number)
  try {
    assert.notEqual(code, 0, 'the setup failed, as it should')
    assert.match(stderr, /pymodbus/)
    assert.equal(pids.length, 1, `socat was started and tracked: ${stdout}`)
    assert.deepEqual(await survivors(pids), [], 'helper processes outlived the test process')
  } finally {
    for (const pid of pids.filter(alive)) process.kill(pid, 'SIGKILL')
  }
})

test('helper processes - a test process stopped by SIGTERM (a test timeout) still stops its broker', async () => {
  const script = `
import { startMosquitto } from ${JSON.stringify(helpers('mosquitto.js'))}
const broker = await startMosquitto()
console.log('broker ' + broker.pid)
setInterval(() => {}, 1000)
`
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const pid = await new Promise<number>((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = out.match(/broker (\d+)/)
      if (m) resolve(Number(m[1]))
    })
    void exited.then(() => reject(new Error(`the test process exited before starting its broker: ${out}`)))
  })
  try {
    process.kill(child.pid!, 'SIGTERM')
    await exited
    assert.deepEqual(await survivors([pid]), [], 'mosquitto outlived the test process')
  } finally {
    if (alive(pid)) process.kill(pid, 'SIGKILL')
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL')
  }
})
