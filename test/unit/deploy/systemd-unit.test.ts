import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const unit = fileURLToPath(new URL('../../../../deploy/sparkplug-gateway.service', import.meta.url))
const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find((p) => existsSync(p))
const skip = analyze === undefined ? 'systemd-analyze is not installed (Debian package systemd)' : false

/** `Key=value` lines of the unit, in order (a key may repeat). */
function settings(): [string, string][] {
  return readFileSync(unit, 'utf8').split('\n').filter((l) => /^[A-Za-z]+=/.test(l)).map((l) => {
    const at = l.indexOf('=')
    return [l.slice(0, at), l.slice(at + 1)]
  })
}
const valuesOf = (key: string) => settings().filter(([k]) => k === key).map(([, v]) => v)

test('systemd unit - systemd-analyze verify finds nothing wrong', { skip }, () => {
  const run = spawnSync(analyze!, ['verify', unit], { encoding: 'utf8' })
  // On a machine without the package installed the ExecStart binary is missing; that alone is fine.
  const problems = `${run.stdout}${run.stderr}`.split('\n').filter((l) => l !== '' && !(l.includes('/usr/bin/sparkplug-gateway is not executable') && !existsSync('/usr/bin/sparkplug-gateway')))
  assert.deepEqual(problems, [])
})

test('systemd unit - exposure 2.0 or lower (systemd-analyze security --offline=true)', { skip }, () => {
  const run = spawnSync(analyze!, ['security', '--offline=true', '--no-pager', unit], { encoding: 'utf8' })
  const match = /Overall exposure level for sparkplug-gateway\.service: (\d+\.\d)/.exec(run.stdout)
  assert.ok(match !== null, `no exposure figure in: ${run.stdout.slice(-500)}${run.stderr}`)
  assert.ok(Number(match[1]) <= 2.0, `exposure ${match[1]}`)
})

test('systemd unit - notify with watchdog, reload as SIGHUP, no restart loop on a config error, Node 20 can run', () => {
  assert.deepEqual(valuesOf('Type'), ['notify'])
  assert.deepEqual(valuesOf('NotifyAccess'), ['main'])
  assert.equal(valuesOf('WatchdogSec').length, 1)
  assert.deepEqual(valuesOf('Restart'), ['on-failure'])
  assert.deepEqual(valuesOf('RestartPreventExitStatus'), ['78'])
  assert.deepEqual(valuesOf('ExecReload'), ['/bin/kill -HUP $MAINPID'])
  assert.deepEqual(valuesOf('SupplementaryGroups'), ['dialout'])
  assert.deepEqual(valuesOf('StateDirectory'), ['sparkplug-gateway'])
  assert.deepEqual(valuesOf('ConfigurationDirectory'), ['sparkplug-gateway'])
  // bdSeq and buffered records while the state directory cannot be written: RAM that a restart keeps.
  assert.deepEqual(valuesOf('RuntimeDirectory'), ['sparkplug-gateway'])
  assert.deepEqual(valuesOf('RuntimeDirectoryMode'), ['0700'])
  assert.deepEqual(valuesOf('RuntimeDirectoryPreserve'), ['yes'])
  // V8 calls pkey_alloc (SIGSYS without @pkey) and needs writable executable pages for its JIT.
  assert.ok(valuesOf('SystemCallFilter').some((v) => v.split(' ').includes('@pkey')))
  assert.deepEqual(valuesOf('MemoryDenyWriteExecute'), [])
  // systemd takes a quoted assignment whole; the heap limits are the benchmarked ones.
  assert.ok(valuesOf('Environment').includes('"NODE_OPTIONS=--max-old-space-size=96 --max-semi-space-size=4"'))
})
