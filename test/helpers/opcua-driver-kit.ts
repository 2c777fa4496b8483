/** Builds OPC UA drivers for the tests from tag-file-like input, waits for what they push, runs the CLI. */
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Reading } from '../../drivers/driver.js'
import { opcuaModule, type OpcuaDriver } from '../../drivers/opcua/index.js'
import type { Log, LogFields } from '../../gateway/model/log.js'

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error'
  readonly message: string
  readonly fields?: LogFields
}

/** A Log that keeps every line (debug included) for assertions. */
export function recordingLog(lines: LogLine[] = []): Log & { readonly lines: LogLine[] } {
  const at = (level: LogLine['level']) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields })
  const log = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log }
  return log
}

/** Parses a device like a tag file would give it and creates its driver; throws on config errors. */
export function opcuaDriver(connection: Record<string, unknown>, tags: readonly Record<string, unknown>[], log: Log = recordingLog()): OpcuaDriver {
  const withPki = { pkiDir: mkdtempSync(join(tmpdir(), 'opcua-client-pki-')), publishingInterval: '100ms', ...connection }
  const parsed = opcuaModule.parse({ driver: 'opcua', connection: withPki, tags, pollMs: 100 }, [])
  if (!parsed.ok) throw new Error(parsed.error.map((e) => `${e.path.join('.')}: ${e.message}`).join('\n'))
  return opcuaModule.create(parsed.value, log) as OpcuaDriver
}

/** Every reading a driver pushes through `watch`, and a way to await one that matches. */
export function watchReadings(driver: OpcuaDriver): { readonly seen: Reading[]; until(match: (r: Reading) => boolean, what: string): Promise<Reading>; lost(): Promise<Error> } {
  const seen: Reading[] = []
  const waiting: { match: (r: Reading) => boolean; resolve: (r: Reading) => void }[] = []
  let lostWith: Error | null = null
  const lostWaiters: ((e: Error) => void)[] = []
  driver.watch({
    readings(readings) {
      for (const r of readings) {
        seen.push(r)
        for (const w of waiting.filter((w) => w.match(r))) {
          waiting.splice(waiting.indexOf(w), 1)
          w.resolve(r)
        }
      }
    },
    lost(error) {
      lostWith = error
      for (const l of lostWaiters.splice(0)) l(error)
    },
  })
  return {
    seen,
    until(match, what) {
      const found = seen.find(match)
      if (found) return Promise.resolve(found)
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no reading ${what} within 20 s; saw ${seen.length}`)), 20_000)
        waiting.push({ match, resolve: (r) => (clearTimeout(timer), resolve(r)) })
      })
    },
    lost() {
      return lostWith !== null ? Promise.resolve(lostWith) : new Promise((resolve) => lostWaiters.push(resolve))
    },
  }
}

export const valueOf = (r: Reading): unknown => ('value' in r ? r.value : `error: ${r.error.message}`)

const cli = fileURLToPath(new URL('../../gateway/cli.js', import.meta.url))

/** Runs `sparkplug-gateway <args>` as its own process and resolves with its exit code and output. */
export function runCli(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr })
    })
  })
}
