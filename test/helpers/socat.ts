/** A pair of connected pseudo-terminals from socat: a serial line on loopback. Stopped by PID. */
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { track } from './children.js'

export interface PtyPair {
  /** Path of one end (give it to the driver). */
  readonly a: string
  /** Path of the other end (give it to the server). */
  readonly b: string
  stop(): Promise<void>
}

export async function startPtyPair(): Promise<PtyPair> {
  const dir = mkdtempSync(join(tmpdir(), 'pty-'))
  const a = join(dir, 'a')
  const b = join(dir, 'b')
  const child = track(spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] }))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let stderr = ''
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socat did not start within 5 s: ${stderr}`)), 5000)
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString()
      // socat logs this once both PTYs exist and the links are in place.
      if (stderr.includes('starting data transfer loop')) {
        clearTimeout(timer)
        resolve()
      }
    })
    void exited.then(() => reject(new Error(`socat exited: ${stderr}`)))
  })
  try {
    await started
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) process.kill(child.pid!, 'SIGKILL')
    throw error
  }
  return {
    a,
    b,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      process.kill(child.pid!, 'SIGTERM')
      await exited
    },
  }
}
