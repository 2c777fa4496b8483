import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'

// The Debian package for this machine's architecture, built from this checkout (its node_modules
// reused: they were compiled here from source), inspected, and unpacked into a scratch root.
const repo = fileURLToPath(new URL('../../../', import.meta.url))
const skip = existsSync('/usr/bin/dpkg-deb') ? false : 'dpkg-deb is not installed (Debian package dpkg)'
const work = mkdtempSync(join(tmpdir(), 'deb-'))
after(() => rmSync(work, { recursive: true, force: true }))

test('deb - builds, says what it needs, holds the unit, the binary and the addons, and validates the example config', { skip }, () => {
  const arch = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim()
  execFileSync('bash', [join(repo, 'deploy/build-deb.sh'), work], { env: { ...process.env, BUILD_DEB_REUSE_MODULES: '1' }, stdio: ['ignore', 'ignore', 'inherit'] })
  const [name] = readdirSync(work).filter((f) => f.endsWith('.deb'))
  assert.equal(name, `sparkplug-gateway_0.1.0_${arch}.deb`)
  const deb = join(work, name!)

  const info = execFileSync('dpkg-deb', ['--info', deb], { encoding: 'utf8' })
  assert.match(info, /^ Package: sparkplug-gateway$/m)
  assert.match(info, new RegExp(`^ Architecture: ${arch}$`, 'm'))
  assert.match(info, /^ Depends: nodejs \(>= 20\), adduser/m)
  for (const script of ['postinst', 'prerm', 'postrm', 'conffiles']) assert.match(info, new RegExp(` ${script}\\b`))
  const conffiles = execFileSync('sh', ['-c', `dpkg-deb --ctrl-tarfile '${deb}' | tar -xOf - ./conffiles`], { encoding: 'utf8' })
  assert.equal(conffiles, '/etc/sparkplug-gateway/gateway.example.yaml\n')

  const contents = execFileSync('dpkg-deb', ['--contents', deb], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  for (const path of [
    './usr/bin/sparkplug-gateway',
    './usr/lib/systemd/system/sparkplug-gateway.service',
    './usr/lib/sparkplug-gateway/dist/gateway/cli.js',
    './usr/lib/sparkplug-gateway/dist/gateway/http/page/index.html',
    './usr/lib/sparkplug-gateway/dist/gateway/http/page/page.js',
    './usr/lib/sparkplug-gateway/dist/gateway/http/page/page.css',
    './usr/lib/sparkplug-gateway/dist/gateway/http/page/icon.svg',
    './usr/lib/sparkplug-gateway/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    './usr/lib/sparkplug-gateway/node_modules/@serialport/bindings-cpp/build/Release/bindings.node',
    './usr/lib/sparkplug-gateway/node_modules/unix-dgram/build/Release/unix_dgram.node',
  ]) assert.ok(contents.includes(` ${path}\n`), `${path} in the package`)
  assert.ok(!contents.includes('status-page.png'), "README's screenshot of the page is not in the package")
  // Production dependencies only.
  for (const dev of ['typescript', '@stryker-mutator']) assert.ok(!contents.includes(`/node_modules/${dev}/`), `${dev} not in the package`)

  const root = join(work, 'root')
  execFileSync('dpkg', ['-x', deb, root])
  copyFileSync(join(root, 'usr/share/sparkplug-gateway/device-simulator.example.yaml'), join(root, 'etc/sparkplug-gateway/devices/simulator.yaml'))
  // The installed binary is a wrapper around /usr/lib/…; in a scratch root its target is run directly.
  const validate = spawnSync(process.execPath, [join(root, 'usr/lib/sparkplug-gateway/dist/gateway/cli.js'), 'validate', '--config', join(root, 'etc/sparkplug-gateway/gateway.example.yaml')], { encoding: 'utf8' })
  assert.equal(validate.status, 0, validate.stderr)
  assert.match(validate.stdout, /OK: 1 device/)
  const addons = spawnSync(process.execPath, ['-e', "require('better-sqlite3')(':memory:').close(); require('unix-dgram'); require('@serialport/bindings-cpp')"], { cwd: join(root, 'usr/lib/sparkplug-gateway'), encoding: 'utf8' })
  assert.equal(addons.status, 0, addons.stderr)
})
