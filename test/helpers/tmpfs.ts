import { execFileSync } from 'node:child_process'
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

/**
 * A real small tmpfs at `path` (the tests run as root); `options` adds mount options (`ro`
 * mounts it read-only). Returns the unmount, for the test's cleanup.
 */
export function mountTmpfs(path: string, options: string): () => void {
  mkdirSync(path, { recursive: true })
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=3m,mode=0700,${options}`, 'tmpfs', path])
  return () => execFileSync('umount', [path])
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
