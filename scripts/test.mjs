#!/usr/bin/env node
// Runs the whole test suite (unit, contract and integration) with node's test runner, after
// making sure the real servers the integration tests start are installed. Installs missing
// Debian packages when it can (root with apt-get); otherwise says exactly what to install.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const pymodbusServer = fileURLToPath(new URL('../test/helpers/pymodbus-server.py', import.meta.url))

const needs = [
  { pkg: 'mosquitto', present: () => existsSync('/usr/sbin/mosquitto') || which('mosquitto') },
  { pkg: 'socat', present: () => which('socat') },
  {
    // Debian's pymodbus 3.0 server imports serial and serial_asyncio, which the package only
    // Recommends (with python3-typer, which the helper does not need): name them, and check by
    // running the helper's own imports rather than `import pymodbus`, which passes without them.
    pkg: ['python3-pymodbus', 'python3-serial', 'python3-serial-asyncio'],
    present: () => spawnSync('/usr/bin/python3', [pymodbusServer, '--check'], { stdio: 'ignore' }).status === 0,
  },
  {
    // The NATS upstream tests run real servers (bookworm ships 2.9.10). The package Recommends
    // nothing (Depends: libc6, adduser); it adds a `nats` system user and a systemd unit that
    // stays disabled where systemd is not PID 1. Tests start their own servers on free ports.
    pkg: 'nats-server',
    present: () => existsSync('/usr/sbin/nats-server') || which('nats-server'),
  },
  {
    // TLS tests (MQTT, NATS, the HTTP listener) make their certificates with the openssl command.
    // Debian's nodejs brings it through ca-certificates; named here so a root without it gets it.
    // It Recommends nothing.
    pkg: 'openssl',
    present: () => which('openssl'),
  },
  {
    // The status page test renders the page in headless Chromium, driven over the DevTools pipe.
    // chromium Recommends nothing itself; chromium-common Recommends upower, udev,
    // libgl1-mesa-dri, fonts-liberation, notification-daemon and system-config-printer: a
    // desktop's power, devices, GPU, printing and notifications, none of which headless needs.
    // Text still renders: fontconfig Depends on a font (fonts-dejavu-core).
    pkg: 'chromium',
    present: () => existsSync('/usr/bin/chromium') || which('chromium'),
  },
]

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0
}

const missing = needs.filter((n) => !n.present()).flatMap((n) => n.pkg)
if (missing.length > 0) {
  const root = process.getuid?.() === 0
  if (!root || !which('apt-get')) {
    console.error(`The integration tests need these Debian packages: ${missing.join(' ')}`)
    console.error(`Install them with: sudo apt-get install -y ${missing.join(' ')}`)
    process.exit(1)
  }
  console.log(`installing ${missing.join(' ')} ...`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env })
  const still = needs.filter((n) => !n.present()).flatMap((n) => n.pkg)
  if (still.length > 0) {
    console.error(`still missing after apt-get: ${still.join(' ')}`)
    process.exit(1)
  }
}

function findTests(dir) {
  if (!existsSync(dir)) return []
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return findTests(path)
    return name.endsWith('.test.js') ? [path] : []
  })
}

const only = process.argv.slice(2)
const files = (only.length > 0 ? only : ['dist/test']).flatMap((p) => (p.endsWith('.js') ? [p] : findTests(p))).sort()
const result = spawnSync(process.execPath, ['--test', '--test-timeout=300000', ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
