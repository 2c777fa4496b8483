import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const throttleFile = '/sys/fs/cgroup/blkio/blkio.throttle.write_iops_device'

/** A small ext4 file system on a loop device whose writes can be slowed, as a worn SD card's are. */
export interface SlowDisk {
  /** Where it is mounted. */
  readonly dir: string
  /** Limits the device to `writeIops` writes per second (0: no limit). */
  throttle(writeIops: number): void
  /** Unthrottles, unmounts and frees the loop device; safe to call twice. */
  remove(): void
}

/**
 * Why a slow disk cannot be made here, or null when it can: it needs root, a loop device, mkfs.ext4
 * and cgroup v1 blkio throttling (device-mapper's dm-delay would do too but is often not built).
 */
export function slowDiskUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (loop device, mount, blkio throttle)'
  if (!existsSync('/dev/loop-control')) return 'no loop devices (/dev/loop-control)'
  if (!existsSync(throttleFile)) return `no cgroup v1 blkio throttling (${throttleFile})`
  for (const tool of ['losetup', 'mkfs.ext4', 'mount', 'umount', 'truncate']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' })
    } catch {
      return `${tool} not found`
    }
  }
  return null
}

/**
 * Mounts a 64 MiB ext4 image on a loop device, not yet throttled. The throttle is the root cgroup's
 * blkio limit on that device, so it holds for every process (writeback is not charged to ours).
 */
export function makeSlowDisk(): SlowDisk {
  const base = mkdtempSync(join(tmpdir(), 'slow-disk-'))
  const image = join(base, 'disk.img')
  const dir = join(base, 'mnt')
  mkdirSync(dir)
  writeFileSync(image, '')
  execFileSync('truncate', ['-s', '64M', image])
  const device = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim()
  let removed = false
  let majorMinor: string | null = null
  const remove = (): void => {
    if (removed) return
    removed = true
    const quietly = (fn: () => void): void => {
      try {
        fn()
      } catch {
        // Each step undoes what exists; a failed earlier step leaves less to undo.
      }
    }
    if (majorMinor !== null) quietly(() => writeFileSync(throttleFile, `${majorMinor} 0`))
    quietly(() => execFileSync('umount', [dir], { stdio: 'ignore' }))
    quietly(() => execFileSync('losetup', ['-d', device], { stdio: 'ignore' }))
    rmSync(base, { recursive: true, force: true })
  }
  try {
    execFileSync('mkfs.ext4', ['-q', device], { stdio: 'ignore' })
    execFileSync('mount', [device, dir], { stdio: 'ignore' })
    const { rdev } = statSync(device)
    majorMinor = `${(rdev >> 8) & 0xfff}:${(rdev & 0xff) | ((rdev >> 12) & 0xfff00)}`
  } catch (err) {
    remove()
    throw err
  }
  const numbers = majorMinor
  return { dir, remove, throttle: (writeIops) => writeFileSync(throttleFile, `${numbers} ${writeIops}`) }
}
