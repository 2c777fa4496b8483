/**
 * Configuration paths that point at the wrong kind of file: FIFOs, devices, huge files. Each is
 * refused with a located message (validate exits 78) and none may block or fill memory.
 */
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { run as validate } from '../../../gateway/cli/validate.js'
import { formatError, loadConfig } from '../../../gateway/config/load.js'
import { fakeRegistry } from './fake-registry.js'

const root = mkdtempSync(join(tmpdir(), 'gw-files-'))
const fifos: string[] = []
after(() => {
  // A reader still blocked on a FIFO (the bug this file guards against) is released with an EOF.
  for (const fifo of fifos) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK))
    } catch {
      // No reader waiting: nothing to release.
    }
  }
  rmSync(root, { recursive: true, force: true })
})
// Generous for a loaded machine, yet a blocked read fails the test instead of hanging the run.
const bounded = { timeout: 20_000 }

let count = 0
function folder(files: Record<string, string>): string {
  const dir = join(root, String(count++))
  mkdirSync(join(dir, 'devices'), { recursive: true })
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  return dir
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path])
  fifos.push(path)
}

const gateway = (extra = '') => `sparkplug: { groupId: Plant1, edgeNodeId: Gateway1 }
upstream:
  mqtt:
    servers: [mqtt://localhost:1883]
${extra}`
const device = (tags: string) => `device: D1\ndriver: fake-tcp\nconnection: { host: plc }\ntags: ${tags}\n`
const csv = 'name,address\nA,HR1\n'

function capture() {
  const out: string[] = []
  const err: string[] = []
  return { out, err, output: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } }
}

test('files - a FIFO as gateway.yaml is refused at once: validate exits 78 and says what it is', bounded, async () => {
  const dir = folder({})
  mkfifo(join(dir, 'gateway.yaml'))
  const io = capture()
  assert.equal(await validate(['--config', join(dir, 'gateway.yaml')], io.output), 78)
  assert.deepEqual(io.err, [`${dir}/gateway.yaml:1:1: cannot read: it is a FIFO (named pipe), not a regular file; only regular files are read as configuration`])
})

test('files - a FIFO device file, tag list or TLS file is refused where it is named; the rest is still checked', bounded, async () => {
  const dir = folder({
    'gateway.yaml': gateway('    tls: { ca: ca.pem }\n'),
    'devices/a.yaml': device('a.csv'),
    'devices/c.yaml': device('[{ name: A, adress: HR1 }]').replace('D1', 'D3'),
  })
  mkfifo(join(dir, 'ca.pem'))
  mkfifo(join(dir, 'devices/a.csv'))
  mkfifo(join(dir, 'devices/b.yaml'))
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), fakeRegistry)
  assert.ok(!loaded.ok)
  const fifo = 'it is a FIFO (named pipe), not a regular file; only regular files are read as configuration'
  assert.deepEqual(loaded.error.map(formatError), [
    `${dir}/gateway.yaml:5:12: upstream.mqtt.tls.ca: cannot read ${dir}/ca.pem: ${fifo}`,
    `${dir}/devices/a.yaml:4:1: tags: cannot read tag list ${dir}/devices/a.csv: ${fifo}`,
    `${dir}/devices/b.yaml:1:1: cannot read: ${fifo}`,
    `${dir}/devices/c.yaml:4:8: tags[0].address: expected an address`,
    `${dir}/devices/c.yaml:4:19: tags[0].adress: unknown key 'adress'; did you mean 'address'?`,
  ])
})

test('files - /dev/zero as a tag list or password file is refused without reading it', bounded, async () => {
  const dir = folder({ 'gateway.yaml': gateway('    passwordFile: /dev/zero\n'), 'devices/a.yaml': device('/dev/zero') })
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), fakeRegistry)
  assert.ok(!loaded.ok)
  assert.deepEqual(loaded.error.map(formatError), [
    `${dir}/gateway.yaml:5:5: upstream.mqtt.passwordFile: cannot read password file /dev/zero: it is a character device, not a regular file; only regular files are read as configuration`,
    `${dir}/devices/a.yaml:4:1: tags: cannot read tag list /dev/zero: it is a character device, not a regular file; only regular files are read as configuration`,
  ])
})

test('files - each kind of file has a size cap: 1 MiB gateway.yaml, 4 MiB device file, 16 MiB tag list', bounded, async () => {
  const dir = folder({ 'gateway.yaml': gateway(), 'devices/a.yaml': device('a.csv'), 'devices/b.yaml': device('[]').replace('D1', 'D2'), 'devices/a.csv': csv })
  // Sparse files: the sizes are real to stat and read, yet take no disk space.
  truncateSync(join(dir, 'devices/a.csv'), 16 * 1024 * 1024 + 1)
  truncateSync(join(dir, 'devices/b.yaml'), 4 * 1024 * 1024 + 1)
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), fakeRegistry)
  assert.ok(!loaded.ok)
  assert.deepEqual(loaded.error.map(formatError), [
    `${dir}/devices/a.yaml:4:1: tags: cannot read tag list ${dir}/devices/a.csv: it is larger than 16 MiB, the limit for a tag list`,
    `${dir}/devices/b.yaml:1:1: cannot read: it is larger than 4 MiB, the limit for a device file`,
  ])
  truncateSync(join(dir, 'gateway.yaml'), 1024 * 1024 + 1)
  const io = capture()
  assert.equal(await validate(['--config', join(dir, 'gateway.yaml')], io.output), 78)
  assert.deepEqual(io.err, [`${dir}/gateway.yaml:1:1: cannot read: it is larger than 1 MiB, the limit for gateway.yaml`])
})

test('files - symlinks to regular files are read as the files they point at', bounded, async () => {
  const real = folder({ 'gw.yaml': gateway('    username: gw\n    passwordFile: pw\n'), 'dev.yaml': device('tags.csv'), 'tags.csv': csv, 'pw.txt': 'secret\n' })
  const dir = folder({})
  symlinkSync(join(real, 'gw.yaml'), join(dir, 'gateway.yaml'))
  symlinkSync(join(real, 'pw.txt'), join(dir, 'pw'))
  symlinkSync(join(real, 'dev.yaml'), join(dir, 'devices/d1.yaml'))
  symlinkSync(join(real, 'tags.csv'), join(dir, 'devices/tags.csv'))
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), fakeRegistry)
  if (!loaded.ok) assert.fail(loaded.error.map(formatError).join('\n'))
  assert.equal(loaded.value.upstream.mqtt!.password, 'secret')
  assert.deepEqual(loaded.value.devices[0]!.tags.map((t) => t.name), ['A'])
})

test('files - a tag list outside the configuration directory is read when its header names tag keys', bounded, async () => {
  const shared = folder({ 'tags.csv': 'name,address,deadband\nA,HR1,\nB,HR2,-1\n' })
  const dir = folder({ 'gateway.yaml': gateway(), 'devices/a.yaml': device(join(shared, 'tags.csv')) })
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), fakeRegistry)
  assert.ok(!loaded.ok)
  assert.deepEqual(loaded.error.map(formatError), [`${shared}/tags.csv:3:7: tags[1].deadband: expected a number >= 0`])
})

test('files - a secret file outside the configuration directory, named as a tag list or linked as a device file, is refused without quoting it', bounded, async () => {
  const secrets = folder({
    shadow: 'root:$6$SECRETHASH:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n',
    'keys.csv': 'name,token\nA,TOPSECRET\n',
  })
  const dir = folder({
    'gateway.yaml': gateway(),
    'devices/a.yaml': device(join(secrets, 'shadow')),
    'devices/b.yaml': device(join(secrets, 'keys.csv')).replace('D1', 'D2'),
  })
  // Inside the configuration directory, but links to a file outside it: as a tag list and as a device file.
  symlinkSync(join(secrets, 'shadow'), join(dir, 'devices/shadow.csv'))
  writeFileSync(join(dir, 'devices/c.yaml'), device('shadow.csv').replace('D1', 'D3'))
  symlinkSync(join(secrets, 'shadow'), join(dir, 'devices/d.yaml'))
  const loaded = await loadConfig(join(dir, 'gateway.yaml'), fakeRegistry)
  assert.ok(!loaded.ok)
  const lines = loaded.error.map(formatError)
  const refusal = (file: string, at: string) =>
    `${at}: tags: tag list ${file} is outside the configuration directory ${dir} and its first row is not a header of tag keys (such as name,address,type); its content is not shown`
  assert.deepEqual(lines, [
    refusal(`${secrets}/shadow`, `${dir}/devices/a.yaml:4:1`),
    refusal(`${secrets}/keys.csv`, `${dir}/devices/b.yaml:4:1`),
    refusal(`${dir}/devices/shadow.csv`, `${dir}/devices/c.yaml:4:1`),
    `${dir}/devices/d.yaml:1:1: ${dir}/devices/d.yaml is outside the configuration directory ${dir} and is not a device file ` +
      '(a map of device, driver, connection, poll, offlineAfter, tags, instances, derived); its content is not shown',
  ])
  for (const secret of ['SECRETHASH', 'daemon', 'token', 'TOPSECRET']) assert.ok(!lines.join('\n').includes(secret), secret)
})
