import { createRequire } from 'node:module'
import { createConnection, isIP } from 'node:net'
import { connect as connectTls, type ConnectionOptions } from 'node:tls'
import type { Duplex } from 'node:stream'
import { parse } from 'node:url'
import type { IClientOptions, MqttClient } from 'mqtt'

// mqtt.connect builds its table of every transport (WebSocket with `ws`, SOCKS with `socks` and
// `ip-address`) at the first connect: resident memory an mqtt:// or mqtts:// broker never uses
// (BENCHMARKS.md "Where the memory goes"). mqtt.js's README offers the client class for a stream of
// one's own (`new mqtt.Client(streamBuilder, options)`; the builder is what its connect/tcp.js and
// tls.js are); it is taken from the package's `mqtt/lib/client` export so that its connect module
// is not loaded either. The full package stays for the other cases.
const require = createRequire(import.meta.url)

/** What a builder reads and sets: mqtt.js hands unknown options (servername) through to tls.connect. */
type StreamOptions = IClientOptions & { servername?: string }
type StreamBuilder = (client: MqttClient, opts: StreamOptions) => Duplex
type ClientClass = new (streamBuilder: (client: MqttClient) => Duplex, options: IClientOptions) => MqttClient

/** MQTT 5 reason codes by number, as mqtt.js names them (its handlers/ack module, no transports). */
export const reasonCodes = (require('mqtt/lib/handlers/ack') as { ReasonCodes: Record<number, string> }).ReasonCodes
const Client = (require('mqtt/lib/client') as { default: ClientClass }).default

// mqtt.js's connect/tcp.js without its SOCKS branch (taken only when MQTTJS_SOCKS_PROXY is set).
const tcp: StreamBuilder = (_client, opts) => {
  opts.port = opts.port || 1883
  opts.hostname = opts.hostname || opts.host || 'localhost'
  return createConnection({ port: opts.port, host: opts.hostname })
}

// mqtt.js's connect/tls.js without its SOCKS branch: the same defaults and certificate handling.
const tls: StreamBuilder = (client, opts) => {
  opts.port = opts.port || 8883
  opts.host = opts.hostname || opts.host || 'localhost'
  if (isIP(opts.host) === 0 && !opts.servername) opts.servername = opts.host
  opts.rejectUnauthorized = opts.rejectUnauthorized !== false
  delete opts.path
  const connection = connectTls(opts as unknown as ConnectionOptions)
  const handleTlsErrors = (err: Error): void => {
    if (opts.rejectUnauthorized) client.emit('error', err)
    connection.end()
  }
  connection.on('secureConnect', () => {
    if (opts.rejectUnauthorized && !connection.authorized) connection.emit('error', new Error('TLS not authorized'))
    else connection.removeListener('error', handleTlsErrors)
  })
  connection.on('error', handleTlsErrors)
  return connection
}

const builders: Record<string, StreamBuilder> = { mqtt: tcp, mqtts: tls }

/**
 * `mqtt.connect(url, options)` for one broker URL. mqtt:// and mqtts:// get the client class and a
 * plain TCP or TLS socket, with the URL merged into the options as mqtt.js merges it; ws://, wss://,
 * a login inside the URL and a SOCKS proxy (MQTTJS_SOCKS_PROXY) go through mqtt.js's own connect, loaded only then.
 */
export function connectMqtt(url: string, options: IClientOptions): MqttClient {
  const parsed = parse(url, true)
  const protocol = (parsed.protocol ?? '').replace(/:$/, '')
  // mqtt.js turns mqtt:// into mqtts:// when a client certificate and key are given.
  const effective = options.cert && options.key ? protocol.replace(/^mqtt$/, 'mqtts') : protocol
  const builder = builders[effective]
  if (builder === undefined || parsed.auth !== null || process.env['MQTTJS_SOCKS_PROXY'] !== undefined) {
    return (require('mqtt') as { connect: (url: string, options: IClientOptions) => MqttClient }).connect(url, options)
  }
  const opts: StreamOptions = {
    ...(parsed.port === null ? {} : { port: Number(parsed.port) }),
    ...(parsed.hostname === null ? {} : { host: parsed.hostname }),
    query: parsed.query as Record<string, string>,
    ...options,
    protocol: effective as 'mqtt' | 'mqtts',
  }
  if (typeof opts.query?.['clientId'] === 'string') opts.clientId = opts.query['clientId']
  opts.defaultProtocol = opts.protocol
  // The client calls its builder at each connect with itself only, as mqtt.connect's wrapper.
  const client = new Client((own) => builder(own, opts), opts)
  // As mqtt.connect: an 'error' without a listener of the caller's must not throw.
  client.on('error', () => {})
  return client
}
