/**
 * Starts test/helpers/opcua-server-main.ts (a real node-opcua server) as a child process on
 * 127.0.0.1 and talks to it over stdin/stdout. Stopped by PID; `restart()` starts it again on the
 * same port with the same PKI folder, so its certificate stays the same.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { track } from './children.js'
import type { OpcuaServerOptions } from './opcua-server-main.js'
import { freePort } from './ports.js'

const script = fileURLToPath(new URL('./opcua-server-main.js', import.meta.url))

export interface OpcuaTestServer {
  readonly port: number
  readonly endpoint: string
  /** PEM file of the server's application certificate. */
  readonly certificateFile: string
  readonly pid: number
  set(name: string, value: unknown): Promise<void>
  status(name: string, status: 'Good' | 'Uncertain' | 'Bad'): Promise<void>
  get(name: string): Promise<unknown>
  /** false: the server holds every Publish request unanswered (reads still work); true: as normal. */
  publishing(on: boolean): Promise<void>
  /** Kills the process (SIGKILL: a crash, not a goodbye) and waits for its exit. */
  stop(): Promise<void>
  /** Starts it again on the same port and PKI folder. */
  restart(): Promise<void>
}

export async function startOpcuaServer(options: Partial<Omit<OpcuaServerOptions, 'port' | 'pkiDir'>> & { port?: number } = {}): Promise<OpcuaTestServer> {
  const full: OpcuaServerOptions = { ...options, port: options.port ?? (await freePort()), pkiDir: mkdtempSync(join(tmpdir(), 'opcua-server-pki-')) }
  let proc = await launch(full)
  const server: OpcuaTestServer = {
    port: full.port,
    endpoint: `opc.tcp://127.0.0.1:${full.port}/test`,
    certificateFile: proc.certificateFile,
    get pid() {
      return proc.child.pid!
    },
    set: async (name, value) => void (await proc.command({ cmd: 'set', name, value })),
    status: async (name, status) => void (await proc.command({ cmd: 'status', name, status })),
    get: async (name) => (await proc.command({ cmd: 'get', name })).value,
    publishing: async (on) => void (await proc.command({ cmd: 'publishing', on })),
    stop: () => proc.stop(),
    async restart() {
      await proc.stop()
      proc = await launch(full)
    },
  }
  return server
}

interface Launched {
  readonly child: ChildProcess
  readonly certificateFile: string
  command(cmd: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>>
  stop(): Promise<void>
}

async function launch(options: OpcuaServerOptions): Promise<Launched> {
  const child = track(spawn(process.execPath, [script, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] }))
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)))
  const waiting: ((line: string) => void)[] = []
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) waiting.shift()?.(line)
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const nextLine = (what: string, ms: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`OPC UA test server: no answer to ${what} within ${ms} ms; stderr: ${stderr}`)), ms)
      void exited.then(() => {
        clearTimeout(timer)
        reject(new Error(`OPC UA test server exited; stderr: ${stderr}`))
      })
      waiting.push((line) => {
        clearTimeout(timer)
        resolve(line)
      })
    })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    child.kill('SIGKILL')
    await exited
  }
  let ready: { certificateFile: string }
  try {
    ready = JSON.parse(await nextLine('start', 60_000)) as { certificateFile: string }
  } catch (error) {
    await stop()
    throw error
  }
  return {
    child,
    certificateFile: ready.certificateFile,
    async command(cmd) {
      const answer = nextLine(String(cmd.cmd), 10_000)
      child.stdin!.write(JSON.stringify(cmd) + '\n')
      const parsed = JSON.parse(await answer) as Record<string, unknown>
      if (parsed.ok !== true) throw new Error(`OPC UA test server: ${String(parsed.error)}`)
      return parsed
    },
    stop,
  }
}
