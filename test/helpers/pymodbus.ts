/**
 * Starts test/helpers/pymodbus-server.py (Debian's pymodbus, an independent Modbus implementation) and
 * talks to it over stdin/stdout. Stopped by PID. See the .py file for the commands.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { createInterface } from 'node:readline'
import { track } from './children.js'

// The compiled helper sits in dist/test/helpers; the Python file stays in the source tree.
const script = fileURLToPath(new URL('../../../test/helpers/pymodbus-server.py', import.meta.url))

export interface PymodbusOptions {
  /** tcp (MBAP), rtu-over-tcp (RTU frames on a TCP socket) or rtu (on `device`). */
  readonly mode?: 'tcp' | 'rtu-over-tcp' | 'rtu'
  readonly units?: readonly number[]
  /** Serial device for mode rtu, e.g. one end of a socat PTY pair. */
  readonly device?: string
}

export interface Pymodbus {
  /** The TCP port it listens on (0 for rtu). */
  port: number
  readonly pid: number
  /** Sends one command and resolves with its JSON answer; rejects when the server reports an error. */
  command(cmd: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>>
  /** Reads values back from the server's datastore. */
  get(unit: number, table: 'co' | 'di' | 'ir' | 'hr', address: number, count: number): Promise<number[]>
  set(unit: number, table: 'co' | 'di' | 'ir' | 'hr', address: number, values: readonly number[]): Promise<void>
  stop(): Promise<void>
}

export async function startPymodbus(options: PymodbusOptions = {}): Promise<Pymodbus> {
  const args = [script, '--mode', options.mode ?? 'tcp', '--units', (options.units ?? [1]).join(',')]
  if (options.device) args.push('--device', options.device)
  const child = track(spawn('/usr/bin/python3', args, { stdio: ['pipe', 'pipe', 'pipe'] }))
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
  const waiting: ((line: string) => void)[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => waiting.shift()?.(line))
  const nextLine = (): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`pymodbus did not answer within 5 s; stderr: ${stderr}`)), 5000)
      waiting.push((line) => {
        clearTimeout(timer)
        resolve(line)
      })
    })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  let ready: string
  try {
    ready = await Promise.race([nextLine(), exited.then(() => Promise.reject(new Error(`pymodbus exited: ${stderr}`)))])
  } catch (error) {
    // A server that never answered is stopped here: the caller has no handle to stop it with.
    await stopChild(child, exited)
    throw error
  }
  const server: Pymodbus = {
    port: (JSON.parse(ready) as { port: number }).port,
    pid: child.pid!,
    async command(cmd) {
      const answer = nextLine()
      child.stdin!.write(JSON.stringify(cmd) + '\n')
      const parsed = JSON.parse(await answer) as Record<string, unknown>
      if (parsed.ok !== true) throw new Error(`pymodbus: ${String(parsed.error)}`)
      return parsed
    },
    async get(unit, table, address, count) {
      return (await server.command({ cmd: 'get', unit, table, address, count })).values as number[]
    },
    async set(unit, table, address, values) {
      await server.command({ cmd: 'set', unit, table, address, values })
    },
    stop: () => stopChild(child, exited),
  }
  return server
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return
  process.kill(child.pid!, 'SIGTERM')
  const timer = setTimeout(() => child.exitCode === null && process.kill(child.pid!, 'SIGKILL'), 2000)
  await exited
  clearTimeout(timer)
}
