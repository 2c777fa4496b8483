/**
 * A small ext4 file system whose writes can be slowed down: a sparse image file on a loop device,
 * mounted on a scratch directory, throttled to N write operations a second by cgroup v1 blkio
 * (`blkio.throttle.write_iops_device` of the root cgroup, which every process here belongs to).
 * With 10 IOPS a 4 KiB write + fsync takes about 0.6 s, like a worn SD card under a burst.
 * Needs root, a free loop device and cgroup v1 blkio; device-mapper (dm-delay) would be the usual
 * tool but is not in every kernel. Everything is undone on close and on any exit of the process.
 */
import { execFileSync } from 'node:child_process'
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const THROTTLE = '/sys/fs/cgroup/blkio/blkio.throttle.write_iops_device'
const SERVICED = '/sys/fs/cgroup/blkio/blkio.throttle.io_serviced'

export const OTHER_WAYS = [
  'other ways to slow a disk: device-mapper "delay" target (dmsetup create slow --table "0 <sectors> delay /dev/loopN 0 200");',
  'cgroup v2 io.max ("MAJ:MIN wiops=10") for the gateway\'s cgroup; a FUSE file system that sleeps in fsync;',
  'an nbd device served by a throttled server; or a real slow SD card / USB stick.',
].join(' ')

export interface SlowDisk {
  /** Where the file system is mounted. */
  readonly dir: string
  /** The loop device, e.g. /dev/loop3. */
  readonly device: string
  /** "major:minor" of the loop device. */
  readonly majMin: string
  /** Caps writes at `iops` operations a second; 0 lifts the cap. */
  throttle(iops: number): void
  /** Milliseconds of one 4 KiB write + fsync of a fresh file, the median of three. */
  probeFsyncMs(): number
  /** Write requests the device has served so far (blkio's count, all processes). */
  writesServed(): number
  /** Lifts the cap, unmounts, detaches the loop device, deletes the image. Idempotent. */
  close(): void
}

/** Why a slowed disk cannot be made here, in words a user can act on; null when it can. */
export function unavailableReason(): string | null {
  if (process.getuid?.() !== 0) return 'needs root (losetup, mount and the blkio throttle)'
  if (!existsSync(THROTTLE)) return `no cgroup v1 blkio throttle (${THROTTLE} is missing)`
  for (const tool of ['losetup', 'mkfs.ext4', 'mount', 'umount']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' })
    } catch {
      return `${tool} is not installed`
    }
  }
  return null
}

const run = (cmd: string, args: readonly string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()

function quietly(step: () => void): void {
  try {
    step()
  } catch {
    // Undoing as much as possible matters more than why one step failed (already undone, busy).
  }
}

/**
 * `mountOptions` for ext4, e.g. `commit=300` so that the journal's periodic commit (every 5 s by
 * default) does not write while a test counts the writes its own code causes.
 */
export function openSlowDisk(sizeMiB: number, mountOptions = 'defaults'): SlowDisk {
  const scratch = mkdtempSync(join(tmpdir(), 'disk-jitter-'))
  const image = join(scratch, 'disk.img')
  const dir = join(scratch, 'mnt')
  let device = ''
  let majMin = ''
  let mounted = false
  let closed = false
  const close = () => {
    if (closed) return
    closed = true
    if (majMin !== '') quietly(() => writeFileSync(THROTTLE, `${majMin} 0\n`))
    if (mounted) {
      try {
        run('umount', [dir])
      } catch {
        // A process killed a moment ago may still hold a file open: detach now, release later.
        quietly(() => run('umount', ['-l', dir]))
      }
    }
    // On a device still in use, -d sets autoclear: it detaches once the last user lets go.
    if (device !== '') quietly(() => run('losetup', ['-d', device]))
    quietly(() => rmSync(scratch, { recursive: true, force: true }))
  }
  process.once('exit', close)
  try {
    writeFileSync(image, '')
    truncateSync(image, sizeMiB * 1024 * 1024)
    device = run('losetup', ['-f', '--show', image])
    const rdev = statSync(device).rdev
    // Linux dev_t: major in bits 8-19, minor in bits 0-7 and 20-31.
    majMin = `${(rdev >> 8) & 0xfff}:${(rdev & 0xff) | ((rdev >> 12) & 0xfff00)}`
    // Initialised now, not by ext4lazyinit writing in the background while something is measured.
    run('mkfs.ext4', ['-q', '-E', 'lazy_itable_init=0,lazy_journal_init=0', device])
    mkdirSync(dir)
    run('mount', ['-o', mountOptions, device, dir])
    mounted = true
  } catch (error) {
    close()
    throw new Error(`cannot make the slowed disk (${device || 'no loop device'}): ${(error as Error).message.split('\n')[0]}; ${OTHER_WAYS}`)
  }
  return {
    dir,
    device,
    majMin,
    throttle(iops) {
      writeFileSync(THROTTLE, `${majMin} ${iops}\n`)
    },
    probeFsyncMs() {
      const times: number[] = []
      for (let i = 0; i < 3; i++) {
        const file = join(dir, `probe-${i}`)
        const started = performance.now()
        const fd = openSync(file, 'w')
        writeSync(fd, Buffer.alloc(4096, 1))
        fsyncSync(fd)
        closeSync(fd)
        times.push(performance.now() - started)
        rmSync(file)
      }
      return times.sort((a, b) => a - b)[1]!
    },
    writesServed() {
      const line = readFileSync(SERVICED, 'utf8').split('\n').find((l) => l.startsWith(`${majMin} Write `))
      return Number(line?.split(' ')[2] ?? 0)
    },
    close,
  }
}
