/** Starts modbus-server.ts as a child process and talks to it over IPC. */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ServerRequest, ServerStats, ServerTimes } from './modbus-server.js'

export interface FieldServer {
  readonly port: number
  readonly pid: number
  stats(): Promise<ServerStats>
  /** Scan starts and writes since the last call (the first call: since the server started). */
  times(): Promise<ServerTimes>
  /** Values move on at every scan (true) or stay put (false). */
  setChanging(on: boolean): void
  stop(): Promise<void>
}

export async function startFieldServer(): Promise<FieldServer> {
  const child = fork(fileURLToPath(new URL('./modbus-server.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  process.once('exit', () => child.kill('SIGKILL'))
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve(m.port))
    child.once('exit', (code) => reject(new Error(`Modbus server exited (${code}) before listening`)))
  })
  const send = (request: ServerRequest) => child.send(request)
  return {
    port,
    pid: child.pid!,
    stats: () =>
      new Promise<ServerStats>((resolve) => {
        child.once('message', (m: ServerStats) => resolve(m))
        send({ cmd: 'stats' })
      }),
    times: () =>
      new Promise<ServerTimes>((resolve) => {
        child.once('message', (m: ServerTimes) => resolve(m))
        send({ cmd: 'times' })
      }),
    setChanging: (on) => send({ cmd: 'changing', on }),
    async stop() {
      child.kill('SIGTERM')
      await exited
    },
  }
}
