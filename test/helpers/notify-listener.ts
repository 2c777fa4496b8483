/** A systemd notification socket on a temp path (test/helpers/notify-listener.py), stopped by PID. */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { track } from './children.js'
import { Collection } from './collection.js'

const script = fileURLToPath(new URL('../../../test/helpers/notify-listener.py', import.meta.url))

/** One datagram: the sender's pid (SCM_CREDENTIALS), its `KEY=value` lines, when it came (monotonic ms). */
export interface NotifyMessage {
  readonly pid: number
  readonly at: number
  readonly lines: readonly string[]
}

export interface NotifyListener {
  /** Give this as NOTIFY_SOCKET. */
  readonly path: string
  readonly messages: Collection<NotifyMessage>
  stop(): Promise<void>
}

export async function startNotifyListener(): Promise<NotifyListener> {
  const dir = mkdtempSync(join(tmpdir(), 'notify-'))
  const path = join(dir, 'notify.sock')
  const child = track(spawn('/usr/bin/python3', [script, path], { stdio: ['pipe', 'pipe', 'inherit'] }))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const messages = new Collection<NotifyMessage>((all) => `received:\n${all.slice(-20).map((m) => m.lines.join(' | ')).join('\n')}`)
  let listening: () => void = () => {}
  const bound = new Promise<void>((resolve, reject) => {
    listening = resolve
    void exited.then(() => reject(new Error('the notification listener exited before binding')))
  })
  let pending = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8')
    const lines = pending.split('\n')
    pending = lines.pop()!
    for (const line of lines) {
      const parsed = JSON.parse(line) as { listening?: string; pid?: number; at?: number; lines?: string[] }
      if (parsed.listening !== undefined) listening()
      else messages.push({ pid: parsed.pid!, at: parsed.at!, lines: parsed.lines! })
    }
  })
  await bound
  return {
    path,
    messages,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid!, 'SIGTERM')
        await exited
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Whether `message` carries the line `KEY=value` (or any `KEY=` line when value is omitted). */
export function has(message: NotifyMessage, key: string, value?: string): boolean {
  return message.lines.some((l) => (value === undefined ? l.startsWith(`${key}=`) : l === `${key}=${value}`))
}
