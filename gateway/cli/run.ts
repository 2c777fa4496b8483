import { parseArgs } from 'node:util'
import { formatError, formatWarning, loadConfig, type LocatedError } from '../config/load.js'
import { startGateway } from '../main.js'
import { createLog } from '../runtime/log.js'
import { StateDirError } from '../runtime/state-dir.js'
import { startServiceNotify, type ServiceNotifier } from '../runtime/service-notify.js'
import { defaultConfigFile, EX_CANTCREAT, EX_CONFIG, EX_TEMPFAIL } from './exit-codes.js'

export const help = `Usage: sparkplug-gateway run [--config FILE]

Runs the gateway: polls every device of the devices directory and publishes Sparkplug B to
the configured broker, buffering while it is unreachable.

  --config FILE   gateway.yaml (default ${defaultConfigFile()}; env SPARKPLUG_GATEWAY_CONFIG)

Exit codes: 0 stopped by SIGTERM/SIGINT; 78 configuration error (nothing was started);
73 the state directory cannot be created or is not a directory; 75 Node Control/Reboot (the
service manager restarts it).`

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } })
  const warnings: LocatedError[] = []
  const loaded = await loadConfig(values.config ?? defaultConfigFile(), undefined, warnings)
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
  // A reload (SIGHUP) tells the service manager: service.reloading() before, service.reloaded() after.
  service = startServiceNotify({ status: gateway.status, liveness: gateway.liveness, log: log.child({ part: 'systemd' }) })
  service.ready()
  const onSignal = (signal: string) => {
    log.info('stopping', { signal })
    stop(0)
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
  process.on('SIGHUP', () => log.warn('reload is not available in this version; restart the service to apply tag-file changes'))
  await done
  log.info('stopped', { exitCode })
  return exitCode
}
