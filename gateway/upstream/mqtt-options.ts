import type { ConnectionOptions } from 'node:tls'
import type { IClientOptions } from 'mqtt'
import { readConfigFile } from '../config/read-file.js'
import type { MqttConfig, ServerLogin } from '../config/types.js'
import { UpstreamError } from './upstream.js'

/** A publish as MQTT sees it: the pump's addresses and kinds already turned into topic and QoS. */
export interface MqttMessage {
  readonly topic: string
  readonly payload: Uint8Array
  readonly qos: 0 | 1
  readonly retain: boolean
}

/** mqtt.js hands unknown options through to `tls.connect`, which is where hostname checking lives. */
export type ClientOptions = IClientOptions & Pick<ConnectionOptions, 'checkServerIdentity'>

/** A Uint8Array viewed as a Buffer without copying (mqtt-packet wants Buffers). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

async function readPem(path: string, what: string, url: string): Promise<Buffer> {
  try {
    // A regular file within its size limit, as at load: a FIFO put there later must not block connecting.
    return await readConfigFile(path, 'tls')
  } catch (err) {
    const code = ((err as Error).cause as NodeJS.ErrnoException | undefined)?.code
    throw new UpstreamError('tls', `cannot read the TLS ${what} file ${path} for ${url}: ${(err as Error).message}${code ? ` (${code})` : ''}`, { cause: err })
  }
}

/**
 * The mqtt.js options for one Sparkplug session: a clean session that expires on disconnect, no
 * automatic reconnect (each CONNECT needs a new will and bdSeq) and nothing queued while offline.
 * TLS files are read here, at every connect, so a renewed certificate is picked up.
 */
export async function buildClientOptions(config: MqttConfig, url: string, will: MqttMessage, login: ServerLogin | null = null): Promise<ClientOptions> {
  const v5 = config.version === '5'
  const options: ClientOptions = {
    protocolVersion: v5 ? 5 : 4,
    clean: true,
    clientId: config.clientId,
    keepalive: config.keepaliveMs > 0 ? Math.max(1, Math.round(config.keepaliveMs / 1000)) : 0,
    connectTimeout: config.connectTimeoutMs,
    reconnectPeriod: 0,
    manualConnect: true,
    queueQoSZero: false,
    resubscribe: false,
    // mqtt-packet otherwise keeps 65,536 pre-built number Buffers (about 12 MiB resident idle,
    // BENCHMARKS.md "Where the memory goes") to save an allocation per packet we do not miss.
    writeCache: false,
    will: { topic: will.topic, payload: asBuffer(will.payload), qos: will.qos, retain: will.retain },
  }
  if (v5) options.properties = { sessionExpiryInterval: 0 }
  // A login written in the server's URL is for that server: it wins over username and passwordFile.
  const username = login?.username ?? config.username
  const password = login?.password ?? config.password
  if (username !== undefined) options.username = username
  if (password !== undefined) options.password = password

  const secure = /^(mqtts|wss|ssl|tls):/i.test(url)
  if (secure) {
    const tls = config.tls
    options.rejectUnauthorized = true
    if (tls?.ca) options.ca = await readPem(tls.ca, 'CA', url)
    if (tls?.cert) options.cert = await readPem(tls.cert, 'certificate', url)
    if (tls?.key) options.key = await readPem(tls.key, 'key', url)
    if (tls && !tls.verifyHostname) {
      options.checkServerIdentity = () => undefined
      // mqtt.js copies only ca/cert/key/rejectUnauthorized into the WebSocket's TLS options;
      // @types/ws types this hook with a browser-style boolean, but ws hands it to tls.connect.
      options.wsOptions = { checkServerIdentity: options.checkServerIdentity } as unknown as IClientOptions['wsOptions']
    }
  }
  return options
}
