import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Rig } from './rig.js'

/**
 * A real small tmpfs at `path` (the tests run as root); `options` adds mount options (`ro`
 * mounts it read-only). Returns the unmount, for the test's cleanup.
 */
export function mountTmpfs(path: string, options: string): () => void {
  mkdirSync(path, { recursive: true })
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=3m,mode=0700,${options}`, 'tmpfs', path])
  return () => execFileSync('umount', [path])
}

/**
 * The state directory of the rig's last config on a small tmpfs (`options` as for `mountTmpfs`,
 * unmounted when the rig stops, after its gateways), and the directory systemd's RuntimeDirectory=
 * would give the service, to pass as RUNTIME_DIRECTORY so nothing is left in /dev/shm.
 */
export function stateOnTmpfs(rig: Pick<Rig, 'dir' | 'defer'>, options: string): { state: string; runtime: string } {
  const state = join(rig.dir, 'state')
  rig.defer(mountTmpfs(state, options))
  const runtime = join(rig.dir, 'run')
  mkdirSync(runtime, { mode: 0o700 })
  return { state, runtime }
}

/** Writes `dir/filler` until the file system says ENOSPC: a full SD card. */
export function fillDisk(dir: string): void {
  const chunk = Buffer.alloc(64 * 1024, 0x55)
  for (;;) {
    try {
      appendFileSync(join(dir, 'filler'), chunk)
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOSPC') return
      throw err
    }
  }
}
