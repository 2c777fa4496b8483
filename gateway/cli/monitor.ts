/** `sparkplug-gateway monitor`: prints every Sparkplug message on a broker, decoded, until SIGINT/SIGTERM. */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import mqtt, { type MqttClient } from 'mqtt'
import { decodePayload, PayloadError } from '../sparkplug/codec.js'
import type { Payload } from '../sparkplug/payload.js'
import { EX_UNAVAILABLE, EX_USAGE } from './exit-codes.js'
import { BirthTypes } from './birth-types.js'
import { formatMessage, isStateTopic } from './format.js'
import { withoutLogin } from '../upstream/mqtt-errors.js'

/** sysexits.h: an input file (the password file) cannot be read. */
const EX_NOINPUT = 66
/** sysexits.h: the broker refused our credentials or subscription. */
const EX_NOPERM = 77
const CONNECT_TIMEOUT_MS = 5000

export const help = `Usage: sparkplug-gateway monitor [--broker URL] [options]

Subscribes to Sparkplug traffic at QoS 1 and prints every message decoded: topic, seq,
timestamp, bdSeq and each metric as 'name (alias) Type = value [historical] {properties}'.
STATE messages are shown as the JSON they carry. Runs until Ctrl-C (SIGINT) or SIGTERM.

Options:
  --broker URL          mqtt://, mqtts://, ws:// or wss:// (default mqtt://127.0.0.1:1883)
  --topic FILTER        subscription filter, repeatable (default spBv1.0/#)
  --json                one JSON object per message (bigint as string, bytes as hex)
  --username NAME       MQTT user name
  --password-file FILE  file whose first line is the MQTT password

Exit codes: 0 stopped by a signal, 64 bad arguments, 66 unreadable password file,
69 broker unreachable, 77 credentials or subscription refused.
`

/** Where `monitor` writes, and what stops it; tests pass their own. */
export interface MonitorIo {
  /** One message block for stdout, without its trailing newline. */
  out(text: string): void
  /** One line for stderr, without its newline. */
  err(line: string): void
  /** Stops the monitor when aborted; without it, SIGINT and SIGTERM do. */
  readonly signal?: AbortSignal
}

const processIo: MonitorIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}

interface Options {
  broker: string
  topics: string[]
  json: boolean
  username?: string
  password?: string
}

export async function run(args: string[], io: MonitorIo = processIo): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args,
      options: {
        broker: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
        topic: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        username: { type: 'string' },
        'password-file': { type: 'string' },
      },
    }).values
  } catch (error) {
    io.err(`monitor: ${(error as Error).message}\n\n${help.trimEnd()}`)
    return EX_USAGE
  }
  const options: Options = { broker: parsed.broker, topics: parsed.topic ?? ['spBv1.0/#'], json: parsed.json, username: parsed.username }
  if (!/^(mqtts?|wss?|tcp|ssl):\/\/[^/]/.test(options.broker)) {
    io.err(`monitor: --broker must be a URL such as mqtt://127.0.0.1:1883, got '${options.broker}'`)
    return EX_USAGE
  }
  const passwordFile = parsed['password-file']
  if (passwordFile !== undefined) {
    try {
      options.password = readFileSync(passwordFile, 'utf8').split(/\r?\n/)[0]
    } catch (error) {
      io.err(`monitor: cannot read password file ${passwordFile}: ${(error as Error).message}`)
      return EX_NOINPUT
    }
  }
  return monitor(options, io)
}

async function monitor(options: Options, io: MonitorIo): Promise<number> {
  const client = mqtt.connect(options.broker, {
    clientId: `sparkplug-monitor-${randomBytes(4).toString('hex')}`,
    clean: true,
    connectTimeout: CONNECT_TIMEOUT_MS,
    // No retries until the first CONNACK, so an unreachable broker fails fast; reconnect after that.
    reconnectPeriod: 0,
    username: options.username,
    password: options.password,
  })
  const first = await firstConnect(client)
  const shown = withoutLogin(options.broker)
  if (first !== null) {
    io.err(first.refused
      ? `monitor: broker ${shown} refused the connection (${first.reason}); check --username and --password-file`
      : `monitor: cannot reach broker ${shown}: ${first.reason}`)
    await client.endAsync(true)
    return first.refused ? EX_NOPERM : EX_UNAVAILABLE
  }
  client.options.reconnectPeriod = 1000
  // Reconnect attempts fail once a second while the broker is down: report each reason once.
  let lastError = ''
  client.on('error', (error) => {
    if (error.message !== lastError) io.err(`monitor: ${error.message}`)
    lastError = error.message
  })
  client.on('offline', () => io.err(`monitor: connection to ${shown} lost, reconnecting`))
  client.on('connect', () => {
    lastError = ''
    io.err(`monitor: reconnected to ${shown}`)
  })
  const types = new BirthTypes()
  client.on('message', (topic, bytes, packet) => io.out(render(topic, bytes, packet.retain, options.json, types)))
  try {
    const granted = await client.subscribeAsync(options.topics, { qos: 1 })
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic)
    if (refused.length > 0) {
      io.err(`monitor: broker refused the subscription to ${refused.join(', ')}`)
      await client.endAsync(true)
      return EX_NOPERM
    }
  } catch (error) {
    io.err(`monitor: cannot subscribe to ${options.topics.join(', ')}: ${(error as Error).message}`)
    await client.endAsync(true)
    return EX_UNAVAILABLE
  }
  io.err(`monitor: connected to ${shown}, listening on ${options.topics.join(', ')}`)
  await stopped(io.signal)
  await client.endAsync()
  return 0
}

function render(topic: string, bytes: Uint8Array, retain: boolean, json: boolean, types: BirthTypes): string {
  if (isStateTopic(topic)) return formatMessage(topic, null, { json, bytes, retain })
  let payload: Payload
  try {
    payload = decodePayload(bytes)
  } catch (error) {
    const reason = error instanceof PayloadError ? error.message : String(error)
    return formatMessage(topic, null, { json, bytes, retain, error: reason })
  }
  types.apply(topic, payload)
  return formatMessage(topic, payload, { json, bytes, retain })
}

/** Null once connected; otherwise why not, and whether the broker itself said no. */
function firstConnect(client: MqttClient): Promise<{ reason: string; refused: boolean } | null> {
  return new Promise((resolve) => {
    let last: Error | undefined
    const onError = (error: Error): void => {
      last = error
    }
    const onClose = (): void => {
      done()
      const refused = typeof (last as { code?: unknown } | undefined)?.code === 'number'
      resolve({ reason: last?.message ?? 'connection closed', refused })
    }
    const onConnect = (): void => {
      done()
      resolve(null)
    }
    const done = (): void => {
      client.off('error', onError).off('close', onClose).off('connect', onConnect)
    }
    client.on('error', onError).on('close', onClose).on('connect', onConnect)
  })
}

function stopped(signal: AbortSignal | undefined): Promise<void> {
  if (signal) {
    return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
  }
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop).off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop).on('SIGTERM', stop)
  })
}
