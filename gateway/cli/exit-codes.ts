/** sysexits.h codes, which systemd units and scripts can act on. */
export const EX_USAGE = 64
export const EX_UNAVAILABLE = 69
export const EX_SOFTWARE = 70
/** The state directory cannot be created or is not a directory (one line on stderr, nothing started). */
export const EX_CANTCREAT = 73
export const EX_TEMPFAIL = 75
/** Configuration error: the unit's RestartPreventExitStatus=78 stops a restart loop on a broken file. */
export const EX_CONFIG = 78

export function defaultConfigFile(): string {
  return process.env.SPARKPLUG_GATEWAY_CONFIG ?? '/etc/sparkplug-gateway/gateway.yaml'
}
