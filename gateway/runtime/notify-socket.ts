import { createRequire } from 'node:module'
import { constants } from 'node:os'
import type { Log } from '../model/log.js'

/** The service manager's notification socket (`NOTIFY_SOCKET`): one datagram per message. */
export interface NotifySocket {
  send(lines: readonly string[]): void
  close(): void
}

const errnoNames = new Map(Object.entries(constants.errno).map(([name, n]) => [n, name]))

/** The part of the `unix-dgram` addon used here. */
interface UnixDgram {
  createSocket(type: 'unix_dgram'): {
    send(buf: Buffer, offset: number, length: number, path: string, done: (error?: Error & { code?: number | string }) => void): void
    on(event: 'error', listener: (error: Error) => void): void
    close(): void
  }
}

/**
 * Opens the socket named by `NOTIFY_SOCKET`, or returns null when it is unset (not started by
 * systemd with Type=notify: nothing is sent at all). Node has no AF_UNIX datagram socket; the
 * `unix-dgram` addon sends from this process, so systemd accepts the messages with
 * `NotifyAccess=main`, and a message costs a system call instead of a process spawn.
 */
export function openNotifySocket(env: NodeJS.ProcessEnv, log: Log): NotifySocket | null {
  const path = env.NOTIFY_SOCKET
  if (path === undefined || path === '') return null
  if (!path.startsWith('/')) {
    // systemd itself uses /run/systemd/notify; abstract names ('@…') are for other managers.
    log.warn('NOTIFY_SOCKET is not a file system path; not notifying the service manager', { notifySocket: path })
    return null
  }
  const dgram = createRequire(import.meta.url)('unix-dgram') as UnixDgram
  const socket = dgram.createSocket('unix_dgram')
  const reported = new Set<string>()
  // The addon reports a failed send as a negative errno (`send -2`), or code 1 for a full queue.
  const failed = (error: Error & { code?: number | string }) => {
    const code = typeof error.code === 'number' ? error.code : 0
    const reason = code === 1 ? 'queue full' : (errnoNames.get(-code) ?? error.message)
    if (reported.has(reason)) return
    reported.add(reason)
    log.warn('cannot notify the service manager', { notifySocket: path, error: reason })
  }
  socket.on('error', failed)
  return {
    send(lines) {
      const message = Buffer.from(lines.join('\n'))
      socket.send(message, 0, message.length, path, (error) => {
        if (error !== undefined) failed(error)
      })
    },
    close: () => socket.close(),
  }
}
