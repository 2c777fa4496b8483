import { mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import type { Log } from '../model/log.js'

/** A directory cannot be created or is a file: for stateDir, `run` exits 73 (EX_CANTCREAT) with this one line. */
export class StateDirError extends Error {}

/**
 * Makes sure the state directory exists, creating it (and missing parents) 0700. A directory that
 * exists but cannot be written is not an error here: the gateway then runs without persistence and
 * reports it, rather than restart-looping under systemd.
 */
export function prepareStateDir(dir: string, log: Log): void {
  if (makePrivateDir(dir, 'stateDir') === 'existed' && (statSync(dir).mode & 0o022) !== 0) {
    log.warn('the state directory is writable by group or others; other users could change bdSeq or the buffer (chmod 700 it)', { path: dir })
  }
}

/** Creates `dir` and its missing parents 0700; `key` (the gateway.yaml key) starts the error message. */
export function makePrivateDir(dir: string, key: string): 'created' | 'existed' {
  const missing: string[] = []
  let at = dir
  for (;;) {
    const kind = kindOf(at, key)
    if (kind === 'directory') break
    if (kind === 'other') {
      throw new StateDirError(`${key} ${dir}: ${at} exists and is not a directory; set ${key} to a directory the gateway can create or write`)
    }
    missing.unshift(at)
    const parent = dirname(at)
    if (parent === at) break
    at = parent
  }
  // One level at a time: mkdir's recursive mode loops forever under /proc, where mkdir says ENOENT.
  for (const path of missing) {
    try {
      mkdirSync(path, { mode: 0o700 })
    } catch (err) {
      const code = (err as { code?: string }).code ?? 'error'
      throw new StateDirError(`${key} ${dir}: cannot create ${path} (${code}: ${describe(code)}); set ${key} to a directory the gateway can create or write`)
    }
  }
  return missing.length === 0 ? 'existed' : 'created'
}

function kindOf(path: string, key: string): 'directory' | 'other' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'directory' : 'other'
  } catch (err) {
    // ENOTDIR: a parent is a file; the walk up finds it and names it.
    const code = (err as { code?: string }).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing'
    throw new StateDirError(`${key} ${path}: cannot look at it (${(err as Error).message})`)
  }
}

function describe(code: string): string {
  switch (code) {
    case 'EACCES': case 'EPERM': return 'permission denied'
    case 'EROFS': return 'read-only file system'
    case 'ENOSPC': return 'no space left on the device'
    case 'ENOENT': return 'the file system does not allow creating it'
    default: return 'the system refused'
  }
}
