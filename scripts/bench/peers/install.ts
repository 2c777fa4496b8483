/**
 * The peers are installed from npm into a scratch directory outside the repository, never as a
 * project dependency, and kept there between runs: $XDG_CACHE_HOME (or ~/.cache) /
 * sparkplug-gateway-bench/peers-<versions>. A changed version list gets a directory of its own.
 *
 * node-red-contrib-modbus 5.45 and later depend on a modbus-serial fork served from outside the
 * npm registry, which this machine cannot reach; 5.23.3 is the newest whose dependencies all come
 * from npm. Node-RED 5 needs Node 22, so Node-RED 4.1 (Node >= 18.5) runs on our Node 20.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const PEER_PACKAGES: Readonly<Record<string, string>> = {
  'node-red': '4.1.8',
  'node-red-contrib-modbus': '5.23.3',
  'sparkplug-payload': '1.0.3',
  'sparkplug-client': '3.2.4',
  'modbus-serial': '8.0.25',
}

export interface PeerInstall {
  readonly dir: string
  /** require() rooted in the scratch directory, so the peers load their own copies. */
  readonly require: NodeJS.Require
}

export function installPeers(): PeerInstall {
  const versions = Object.entries(PEER_PACKAGES).map(([name, version]) => `${name}@${version}`)
  const key = versions.join(' ').replace(/[^a-z0-9.]+/gi, '-').slice(0, 120)
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache')
  const dir = join(cache, 'sparkplug-gateway-bench', `peers-${key}`)
  const marker = join(dir, 'installed.txt')
  if (!existsSync(marker) || readFileSync(marker, 'utf8') !== versions.join('\n')) {
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'sparkplug-gateway-bench-peers', private: true }))
    console.log(`installing ${versions.join(', ')} into ${dir} ...`)
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...versions], { cwd: dir, stdio: 'inherit' })
    writeFileSync(marker, versions.join('\n'))
  }
  return { dir, require: createRequire(join(dir, 'package.json')) }
}
