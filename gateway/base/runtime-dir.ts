import { createHash } from 'node:crypto'
import { existsSync, lstatSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * Where bdSeq and buffered records go while the state directory cannot be written (full or
 * read-only SD card): a directory in RAM that survives a restart of the process but not a power
 * cycle. Nothing is created until the state directory fails.
 */
export interface RuntimeDir {
  /** This state directory's own subdirectory of the runtime directory. */
  readonly path: string
  /** Creates the directory (0700) when missing and returns its path; throws a message naming what is wrong. */
  ensure(): string
}

/**
 * The runtime directory, first of: `$RUNTIME_DIRECTORY` (systemd's RuntimeDirectory=, under /run),
 * `$XDG_RUNTIME_DIR/sparkplug-gateway`, `/dev/shm/sparkplug-gateway-<uid>`,
 * `<tmpdir>/sparkplug-gateway-<uid>`. The last three are shared places: the gateway's directory in
 * them must be its own (owner, 0700, not a symbolic link). Inside it each state directory has its
 * own subdirectory, so that two gateways of one user never take each other's bdSeq.
 */
export function runtimeDirFor(stateDir: string, env: NodeJS.ProcessEnv = process.env, uid = process.getuid?.() ?? 0): RuntimeDir {
  const systemd = env.RUNTIME_DIRECTORY?.split(':')[0]
  const root = systemd !== undefined && systemd !== ''
    ? systemd
    : env.XDG_RUNTIME_DIR !== undefined && env.XDG_RUNTIME_DIR !== ''
      ? join(env.XDG_RUNTIME_DIR, 'sparkplug-gateway')
      : join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), `sparkplug-gateway-${uid}`)
  const path = join(root, subdirectoryOf(stateDir))
  return {
    path,
    ensure() {
      if (root !== systemd) makeOwnDir(root, uid)
      makeOwnDir(path, uid)
      return path
    },
  }
}

/** `var-lib-sparkplug-gateway-1a2b3c4d` for /var/lib/sparkplug-gateway: readable, and unique by the hash. */
function subdirectoryOf(stateDir: string): string {
  const absolute = resolve(stateDir)
  const readable = absolute.replace(/^\/+|\/+$/g, '').replace(/[^A-Za-z0-9._]+/g, '-').slice(0, 80) || 'root'
  return `${readable}-${createHash('sha256').update(absolute).digest('hex').slice(0, 8)}`
}

function makeOwnDir(dir: string, uid: number): void {
  try {
    mkdirSync(dir, { mode: 0o700 })
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw new Error(`cannot create the runtime directory ${dir}: ${(err as Error).message}`)
  }
  const stat = lstatSync(dir)
  if (!stat.isDirectory()) throw new Error(`the runtime directory ${dir} is not a directory (a symbolic link or a file is in the way); remove it`)
  if (stat.uid !== uid) throw new Error(`the runtime directory ${dir} belongs to user ${stat.uid}, not to the gateway's user ${uid}; remove it`)
  if ((stat.mode & 0o077) !== 0) throw new Error(`the runtime directory ${dir} is open to group or others (mode ${(stat.mode & 0o777).toString(8)}); chmod 700 it`)
}
