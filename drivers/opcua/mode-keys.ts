/**
 * Keys that do nothing under the device's chosen mode. Each is named where it is written: a
 * warning when leaving it out changes nothing, an error when the user would lose what the key
 * asked for (a server-side deadband in polling mode would mean no deadband at all).
 */
import type { RawDevice } from '../driver.js'
import type { ConfigError, ConfigPath } from '../../gateway/model/result.js'
import { isRecord } from '../../gateway/base/fields.js'
import type { ParsedConnection } from './parse-connection.js'

const pollingIgnores: Readonly<Record<string, string>> = {
  samplingInterval: 'each scan is one Read at the tag\'s poll',
  queueSize: 'only a subscription queues values',
}

export function modeProblems(raw: RawDevice, at: ConfigPath, connection: ParsedConnection, errors: ConfigError[], warnings: ConfigError[]): void {
  const written = isRecord(raw.connection) ? raw.connection : {}
  if (connection.securityMode === 'None' && written.trustServer !== undefined) {
    warnings.push({ path: [...at, 'connection', 'trustServer'], message: 'has no effect with securityMode None (no server certificate is checked); remove it, or set securityMode: Sign or SignAndEncrypt' })
  }
  if (connection.mode !== 'polling') return
  if (written.publishingInterval !== undefined) {
    warnings.push({ path: [...at, 'connection', 'publishingInterval'], message: 'has no effect with mode: polling (each scan is one Read at the poll period); remove it, or set mode: subscription' })
  }
  raw.tags.forEach((tag, i) => {
    if (!isRecord(tag)) return
    for (const [key, why] of Object.entries(pollingIgnores)) {
      if (tag[key] !== undefined) warnings.push({ path: [...at, 'tags', i, key], message: `has no effect with mode: polling (${why}); remove it, or set connection.mode: subscription` })
    }
    if (tag.deadbandPercent !== undefined) {
      errors.push({ path: [...at, 'tags', i, 'deadbandPercent'], message: 'is a server-side filter and needs connection.mode: subscription; in polling mode use deadband (absolute), which the gateway applies' })
    }
  })
}
