import { parseArgs } from 'node:util'
import { formatError, formatWarning } from '../config/located.js'
import { loadConfigOffThread } from '../config/load-off-thread.js'
import { startGateway } from '../main.js'
import { createLog } from '../runtime/log.js'
import { StateDirError } from '../base/private-dir.js'
import { startServiceNotify, type ServiceNotifier } from '../runtime/service-notify.js'
import { defaultConfigFile, EX_CANTCREAT, EX_CONFIG, EX_TEMPFAIL } from './exit-codes.js'

export const help = `Usage: sparkplug-gateway run [--config FILE]

Runs the gateway: polls every device of the devices directory and publishes Sparkplug B to
the configured broker, buffering while it is unreachable.

  --config FILE   gateway.yaml (default ${defaultConfigFile()}; env SPARKPLUG_GATEWAY_CONFIG)

SIGHUP (systemctl reload) re-reads gateway.yaml and the devices directory: added, removed and
changed devices are applied; a file with errors is reported and the running configuration stays.

Exit codes: 0 stopped by SIGTERM/SIGINT; 78 configuration error (nothing was started);
73 the state directory cannot be created or is not a directory; 75 Node Control/Reboot (the
service manager restarts it).`

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } })
  const configFile = values.config ?? defaultConfigFile()
  const { loaded, warnings } = await loadConfigOffThread(configFile)
  if (!loaded.ok) {
    for (const error of loaded.error) console.error(formatError(error))
    console.error(`configuration has ${loaded.error.length} problem(s); nothing started`)
    return EX_CONFIG
  }
  const config = loaded.value
  const log = createLog({ level: config.log.level })
  for (const w of warnings) log.warn(formatWarning(w))
  let exitCode = 0
  let stopped: Promise<void> | null = null
  let markDone: () => void = () => {}
  const done = new Promise<void>((resolve) => (markDone = resolve))
  const stop = (code: number) => {
    exitCode = code
    if (stopped === null) service?.stopping()
    stopped ??= gateway.stop().then(markDone)
  }
  let gateway: Awaited<ReturnType<typeof startGateway>>
  let service: ServiceNotifier | null = null
  try {
    gateway = await startGateway(config, log, { onReboot: () => stop(EX_TEMPFAIL) })
  } catch (error) {
    if (!(error instanceof StateDirError)) throw error
    console.error(error.message)
    return EX_CANTCREAT
  }
  service = startServiceNotify({ status: gateway.status, liveness: gateway.liveness, log: log.child({ part: 'systemd' }) })
  const onSignal = (signal: string) => {
    log.info('stopping', { signal })
    stop(0)
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
  const reload = serially(async () => {
    // The service manager hears RELOADING=1 before and READY=1 after, also when the files are refused.
    service?.reloading()
    try {
      const { loaded: next, warnings: found } = await loadConfigOffThread(configFile)
      if (!next.ok) {
        for (const error of next.error) log.error(formatError(error))
        log.error('reload refused; the running configuration stays in force', { problems: next.error.length })
        return
      }
      for (const w of found) log.warn(formatWarning(w))
      const plan = await gateway.reload(next.value)
      log.info('reloaded', { added: plan.added.length, removed: plan.removed.length, changed: plan.changed.length, unchanged: plan.unchanged.length })
    } catch (error) {
      log.error('reload failed part way; restart the service to apply the files', { error: (error as Error).message })
    } finally {
      service?.reloaded()
    }
  })
  process.on('SIGHUP', () => {
    log.info('reload requested', { signal: 'SIGHUP', config: configFile })
    if (stopped === null) reload()
  })
  // Only now: READY=1 leaves the process at once, and systemd (or a test) may answer it with SIGHUP
  // before the next line runs; a SIGHUP without a handler would end the gateway.
  service.ready()
  await done
  log.info('stopped', { exitCode })
  return exitCode
}

/**
 * Runs `task` now, or once more after the running one when asked while it runs (however many
 * times): a burst of SIGHUPs is one reload of the latest files, never two reloads at once.
 */
function serially(task: () => Promise<void>): () => void {
  let running: Promise<void> | null = null
  let again = false
  const start = (): void => {
    running = task().finally(() => {
      running = null
      if (!again) return
      again = false
      start()
    })
  }
  return () => {
    if (running === null) start()
    else again = true
  }
}
