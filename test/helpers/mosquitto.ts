import { spawn, execFileSync } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort, waitForPort } from './ports.js'
import './children.js' // a signal that stops the test process still runs the 'exit' cleanup below

const binary = '/usr/sbin/mosquitto'

export interface MosquittoOptions {
  /** Port on 127.0.0.1; a free one when absent. */
  readonly port?: number
  /** username → password; anonymous clients are refused when given. */
  readonly users?: Readonly<Record<string, string>>
  /** PEM file paths: the listener speaks TLS (mqtts://) when given. */
  readonly tls?: { readonly ca: string; readonly cert: string; readonly key: string }
  /**
   * Keep client sessions (subscriptions, messages queued for offline subscribers, QoS 0 included)
   * across `stop()`/`start()`: saved at exit and every second, so a SIGKILL keeps them too. The
   * database lives in a directory of its own, removed when the test process exits.
   */
  readonly persistence?: boolean
  /** Text of a mosquitto ACL file (`user` and `topic` lines), with `users`. */
  readonly acl?: string
  /** mosquitto's `max_packet_size`: a larger packet from a client ends its connection. */
  readonly maxPacketSize?: number
}

/** A real mosquitto on loopback, owned by the test that started it. */
export interface Broker {
  /** mqtt://127.0.0.1:<port> (mqtts:// with tls). */
  readonly url: string
  readonly port: number
  /** PID of the running process (changes on restart). */
  readonly pid: number
  /** Kills by PID (SIGTERM unless told) and waits for the exit; removes the temp dir. Idempotent. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>
  /** Stops if running, then starts again on the same port with the same settings. */
  restart(): Promise<void>
  /** Starts again after `stop()` (a no-op while running), on the same port with the same settings. */
  start(): Promise<void>
}

// Brokers still running when the process exits are killed, whatever the test did.
const running = new Set<ChildProcess>()
const persistDirs = new Set<string>()
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL')
  for (const dir of persistDirs) rmSync(dir, { recursive: true, force: true })
})

function writeConfig(dir: string, port: number, opts: MosquittoOptions, persistDir: string | null): string {
  const lines = [
    `listener ${port} 127.0.0.1`,
    `allow_anonymous ${opts.users ? 'false' : 'true'}`,
    ...(persistDir === null
      ? ['persistence false']
      : ['persistence true', `persistence_location ${persistDir}/`, 'autosave_interval 1', 'queue_qos0_messages true', 'max_queued_messages 0']),
    `log_dest file ${join(dir, 'mosquitto.log')}`,
    'log_type all',
  ]
  // Run as root, mosquitto would switch to user "mosquitto", which cannot read our 0700 temp dir.
  if (process.getuid?.() === 0) lines.push('user root')
  if (opts.users) {
    const passwords = join(dir, 'passwd')
    writeFileSync(passwords, '')
    for (const [user, password] of Object.entries(opts.users)) {
      execFileSync('mosquitto_passwd', ['-b', passwords, user, password])
    }
    lines.push(`password_file ${passwords}`)
  }
  if (opts.acl !== undefined) {
    writeFileSync(join(dir, 'acl'), opts.acl)
    lines.push(`acl_file ${join(dir, 'acl')}`)
  }
  if (opts.maxPacketSize !== undefined) lines.push(`max_packet_size ${opts.maxPacketSize}`)
  if (opts.tls) lines.push(`cafile ${opts.tls.ca}`, `certfile ${opts.tls.cert}`, `keyfile ${opts.tls.key}`)
  const conf = join(dir, 'mosquitto.conf')
  writeFileSync(conf, lines.join('\n') + '\n')
  return conf
}

async function launch(port: number, opts: MosquittoOptions, persistDir: string | null): Promise<{ child: ChildProcess; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'mosquitto-'))
  const child = spawn(binary, ['-c', writeConfig(dir, port, opts, persistDir)], { stdio: 'ignore' })
  running.add(child)
  let exited: string | null = null
  child.once('exit', (code, signal) => {
    running.delete(child)
    exited = `mosquitto exited (${signal ?? code}) before listening on ${port}`
  })
  child.once('error', (err) => {
    exited = `cannot start ${binary}: ${err.message}`
  })
  try {
    await waitForPort(port, 5000, () => exited && `${exited}\n${readLog(dir)}`)
  } catch (err) {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
    throw err
  }
  return { child, dir }
}

function readLog(dir: string): string {
  try {
    return readFileSync(join(dir, 'mosquitto.log'), 'utf8')
  } catch {
    return ''
  }
}

function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    child.once('exit', () => resolve())
    if (child.pid !== undefined) process.kill(child.pid, signal)
  })
}

/** Starts /usr/sbin/mosquitto on 127.0.0.1 and resolves once it accepts connections. */
export async function startMosquitto(opts: MosquittoOptions = {}): Promise<Broker> {
  const port = opts.port ?? (await freePort())
  let persistDir: string | null = null
  if (opts.persistence) {
    persistDir = mkdtempSync(join(tmpdir(), 'mosquitto-db-'))
    persistDirs.add(persistDir)
  }
  let current = await launch(port, opts, persistDir)
  const isRunning = () => current.child.exitCode === null && current.child.signalCode === null
  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> => {
    await kill(current.child, signal)
    rmSync(current.dir, { recursive: true, force: true })
  }
  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    port,
    get pid() {
      return current.child.pid ?? -1
    },
    stop,
    async restart() {
      await stop()
      current = await launch(port, opts, persistDir)
    },
    async start() {
      if (!isRunning()) current = await launch(port, opts, persistDir)
    },
  }
}
