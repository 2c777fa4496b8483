/** A benchmark's child process: its last lines of output kept, stopped by PID, killed if the benchmark exits first. */
import { spawn, type SpawnOptions } from 'node:child_process'

const children = new Set<number>()
process.once('exit', () => {
  for (const pid of children) process.kill(pid, 'SIGKILL')
})

export interface BenchChild {
  readonly pid: number
  /** The last 20 lines it printed on stdout and stderr. */
  readonly output: string[]
  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`; resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>
}

export function spawnChild(args: readonly string[], options: Pick<SpawnOptions, 'cwd' | 'env'> = {}): BenchChild {
  const child = spawn(process.execPath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
  const pid = child.pid!
  children.add(pid)
  const output: string[] = []
  const collect = (chunk: Buffer) => {
    output.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''))
    output.splice(0, Math.max(0, output.length - 20))
  }
  child.stdout!.on('data', collect)
  child.stderr!.on('data', collect)
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    children.delete(pid)
    resolve(code)
  }))
  return {
    pid,
    output,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return exited
      process.kill(pid, 'SIGTERM')
      const timer = setTimeout(() => {
        if (children.has(pid)) process.kill(pid, 'SIGKILL')
      }, graceMs)
      const code = await exited
      clearTimeout(timer)
      return code
    },
  }
}
