import type { GatewayStatus } from '../base/status.js'
import type { Log } from '../model/log.js'
import type { Liveness } from './liveness.js'
import { openNotifySocket, type NotifySocket } from './notify-socket.js'

/** What the service manager is told (sd_notify); every call does nothing without NOTIFY_SOCKET. */
export interface ServiceNotifier {
  /** Configured and running (also with the upstream down: the gateway is buffering). */
  ready(): void
  /** A reload starts (SIGHUP): RELOADING=1 with the time, as Type=notify-reload expects too. */
  reloading(): void
  /** The reload is done, applied or refused: READY=1 again. */
  reloaded(): void
  /** An orderly stop starts; the status and watchdog timers stop, and nothing is sent after it. */
  stopping(): void
}

/** The STATUS= line is recomputed this often and sent only when it changed. */
export const STATUS_INTERVAL_MS = 1000
const STATUS_MAX_LENGTH = 200

export interface ServiceNotifyOptions {
  readonly status: () => GatewayStatus
  readonly liveness: Liveness
  readonly log: Log
  readonly env?: NodeJS.ProcessEnv
}

/**
 * sd_notify for the gateway: READY/RELOADING/STOPPING as the caller reports them, a one-line
 * STATUS when it changes (at most once a second), and WATCHDOG=1 every half `WATCHDOG_USEC` while
 * the pipeline turns. A stalled pump or device loop withholds the pings (one log line), and
 * systemd restarts the service after `WatchdogSec=`; a blocked event loop sends none by itself.
 */
export function startServiceNotify(options: ServiceNotifyOptions): ServiceNotifier {
  const env = options.env ?? process.env
  const socket = openNotifySocket(env, options.log)
  if (socket === null) return { ready() {}, reloading() {}, reloaded() {}, stopping() {} }
  const log = options.log
  let lastStatus = ''
  const sendStatus = () => {
    const line = statusLine(options.status())
    if (line === lastStatus) return
    lastStatus = line
    socket.send([`STATUS=${line}`])
  }
  const statusTimer = setInterval(sendStatus, STATUS_INTERVAL_MS)
  statusTimer.unref()
  const watchdog = startWatchdog(socket, env, options.liveness, log)
  return {
    ready() {
      lastStatus = statusLine(options.status())
      socket.send(['READY=1', `STATUS=${lastStatus}`])
    },
    reloading() {
      socket.send(['RELOADING=1', `MONOTONIC_USEC=${process.hrtime.bigint() / 1000n}`, 'STATUS=reloading the configuration'])
      lastStatus = ''
    },
    reloaded() {
      lastStatus = statusLine(options.status())
      socket.send(['READY=1', `STATUS=${lastStatus}`])
    },
    stopping() {
      clearInterval(statusTimer)
      if (watchdog !== null) clearInterval(watchdog)
      socket.send(['STOPPING=1', 'STATUS=stopping'])
      // The addon's socket would keep the event loop, and so the process, alive after the stop.
      socket.close()
    },
  }
}

/** Pings at half the interval systemd asked for, so one late timer does not cost a restart. */
function startWatchdog(socket: NotifySocket, env: NodeJS.ProcessEnv, liveness: Liveness, log: Log): NodeJS.Timeout | null {
  const usec = Number(env.WATCHDOG_USEC)
  if (!Number.isSafeInteger(usec) || usec <= 0) return null
  // WATCHDOG_PID names the process the watchdog is meant for (not a child that inherited the env).
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && env.WATCHDOG_PID !== String(process.pid)) return null
  const intervalMs = Math.max(1, Math.floor(usec / 2000))
  let stalledPart: string | null = null
  const timer = setInterval(() => {
    const stalled = liveness.stalled(Date.now(), intervalMs)
    if (stalled !== null) {
      if (stalledPart === null) log.error('pipeline stalled: watchdog pings withheld, the service manager will restart the gateway', { part: stalled })
      stalledPart = stalled
      return
    }
    if (stalledPart !== null) log.warn('pipeline moving again: watchdog pings resumed', { part: stalledPart })
    stalledPart = null
    socket.send(['WATCHDOG=1'])
  }, intervalMs)
  timer.unref()
  return timer
}

/** `upstream connected mqtt://broker:1883; devices 2/3 online; buffer 120 records`. */
export function statusLine(status: GatewayStatus): string {
  const upstream = status.upstream.connected ? `upstream connected ${status.upstream.server ?? ''}`.trimEnd() : 'upstream not connected (buffering)'
  const devices = Object.values(status.devices)
  const online = devices.filter((d) => d.online).length
  const line = `${upstream}; devices ${online}/${devices.length} online; buffer ${status.buffer.records} records`
  return line.length > STATUS_MAX_LENGTH ? line.slice(0, STATUS_MAX_LENGTH) : line
}
