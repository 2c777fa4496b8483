/**
 * Reading a configuration file (gateway.yaml, device files, tag lists, password and TLS files)
 * so that a path pointing at the wrong kind of file is refused rather than obeyed: a FIFO would
 * block `validate` forever and /dev/zero would fill memory.
 */
import { constants } from 'node:fs'
import { open, stat } from 'node:fs/promises'

/** Size limits per kind of file; a real file of each kind is far below them. */
export const fileLimits = {
  gateway: { bytes: 1024 * 1024, what: 'gateway.yaml' },
  device: { bytes: 4 * 1024 * 1024, what: 'a device file' },
  tagList: { bytes: 16 * 1024 * 1024, what: 'a tag list' },
  // MQTT carries a password of at most 65535 bytes.
  password: { bytes: 65_535, what: 'a password file' },
  tls: { bytes: 1024 * 1024, what: 'a TLS file' },
  // NATS secrets: a token (sent in CONNECT like a password), a 58-character NKey seed, a .creds
  // file (a user JWT, larger with many permissions, and its seed).
  token: { bytes: 65_535, what: 'a token file' },
  nkeySeed: { bytes: 4096, what: 'an NKey seed file' },
  credentials: { bytes: 65_536, what: 'a credentials file' },
} as const

export type FileKind = keyof typeof fileLimits

/** Why a file was not read, in words that follow "cannot read <file>: ". */
export class ConfigFileError extends Error {}

/**
 * The bytes of `path`, which must be a regular file (a symlink to one is fine) within the limit
 * of its kind. Opened non-blocking, so that a FIFO is seen (by fstat on the open file, which
 * cannot be swapped underneath) and refused instead of waiting for a writer.
 */
export async function readConfigFile(path: string, kind: FileKind): Promise<Buffer> {
  const limit = fileLimits[kind]
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY)
  } catch (cause) {
    throw new ConfigFileError(reason(cause), { cause })
  }
  try {
    const stat = await handle.stat()
    if (!stat.isFile()) throw new ConfigFileError(`it is ${kindOf(stat)}, not a regular file; only regular files are read as configuration`)
    if (stat.size > limit.bytes) throw tooLarge(limit)
    // Counted again while reading: the file may grow after fstat.
    const chunks: Buffer[] = []
    let total = 0
    for (;;) {
      const chunk = Buffer.alloc(64 * 1024)
      const { bytesRead } = await handle.read(chunk, 0, chunk.length)
      if (bytesRead === 0) return Buffer.concat(chunks, total)
      total += bytesRead
      if (total > limit.bytes) throw tooLarge(limit)
      chunks.push(chunk.subarray(0, bytesRead))
    }
  } catch (cause) {
    if (cause instanceof ConfigFileError) throw cause
    throw new ConfigFileError(reason(cause), { cause })
  } finally {
    await handle.close()
  }
}

/** As readConfigFile, as UTF-8 text. */
export async function readConfigText(path: string, kind: FileKind): Promise<string> {
  return (await readConfigFile(path, kind)).toString('utf8')
}

function tooLarge(limit: { bytes: number; what: string }): ConfigFileError {
  const size = limit.bytes % (1024 * 1024) === 0 ? `${limit.bytes / 1024 / 1024} MiB` : `${limit.bytes} bytes`
  return new ConfigFileError(`it is larger than ${size}, the limit for ${limit.what}`)
}

function kindOf(stat: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stat.isDirectory()) return 'a directory'
  if (stat.isFIFO()) return 'a FIFO (named pipe)'
  if (stat.isCharacterDevice()) return 'a character device'
  if (stat.isBlockDevice()) return 'a block device'
  return stat.isSocket() ? 'a socket' : 'a special file'
}

/** Operating system errors in words. */
export function reason(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code
  if (code === 'ENOENT') return 'no such file or directory'
  if (code === 'EACCES') return 'permission denied'
  if (code === 'EISDIR') return 'is a directory'
  if (code === 'ELOOP') return 'too many levels of symbolic links'
  return cause instanceof Error ? cause.message : String(cause)
}

/** The file's permission bits as `0644` when its group or others may read it. */
export async function readableByOthers(file: string): Promise<string | undefined> {
  const mode = await stat(file).then((s) => s.mode & 0o777, () => 0)
  return (mode & 0o044) === 0 ? undefined : `0${mode.toString(8)}`
}
