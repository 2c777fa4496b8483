import type { MqttConfig } from '../config/types.js'
import type { Log } from '../model/log.js'
import { deviceTopic, nodeTopic, parseTopic, stateTopic, topicOf } from '../base/topics.js'
import type { ConnectOptions, Message, Upstream, UpstreamCapabilities, UpstreamEvent } from './upstream.js'
import { serverAt, UpstreamError } from './upstream.js'
import { buildClientOptions, type MqttMessage } from './mqtt-options.js'
import type { MqttSession } from './mqtt-session.js'
import { openSession } from './mqtt-session.js'

/** Publishes mqtt.js may have outstanding: enough to keep a QoS 1 link busy, few enough to bound memory. */
const maxInFlight = 64

/**
 * The MQTT upstream (mqtt.js). Every `connect` builds a new client with its own will and
 * `reconnectPeriod: 0`: mqtt.js would otherwise reconnect with the old will, and so the old
 * bdSeq. The pump owns reconnecting. Data goes at `dataQos`; births, deaths and the will at the
 * QoS Sparkplug asks for (0, except the NDEATH at 1); nothing is retained.
 */
export function createMqttUpstream(config: MqttConfig, log: Log): Upstream {
  let session: MqttSession | null = null
  let listener: (event: UpstreamEvent) => void = () => {}

  const closed = (): Promise<never> => Promise.reject(new UpstreamError('closed', 'no live MQTT session (not connected yet, or the connection was lost)'))

  const capabilities: UpstreamCapabilities = {
    will: true,
    confirmsData: config.dataQos === 1,
    replayWindowMs: config.replayWindowMs,
    deduplicates: false,
    retainedState: true,
    requestReply: false,
    heartbeatMs: 0,
    maxInFlight,
  }

  return {
    servers: config.servers,
    capabilities,

    async connect(opts: ConnectOptions) {
      const previous = session
      session = null
      if (previous) await previous.close()
      const url = serverAt(config.servers, opts.server, 'upstream.mqtt.servers')
      const options = await buildClientOptions(config, url, death(opts.will), config.serverLogins?.[opts.server] ?? null)
      const own: MqttSession = openSession(url, options, subscriptions(opts), config.connectTimeoutMs, {
        onConnectSent: opts.onConnectSent,
        onMessage: (topic, payload, retain) => {
          const address = parseTopic(topic)
          if (session === own && address !== null) listener({ type: 'message', address, payload, retain, origin: topic })
        },
        onDown: (error) => {
          if (session !== own) return
          session = null
          listener({ type: 'down', error })
        },
      }, log)
      session = own
      try {
        await own.ready
      } catch (err) {
        if (session === own) session = null
        throw err
      }
    },

    publish(msg: Message) {
      if (!session) return closed()
      const qos = msg.kind === 'data' ? config.dataQos : 0
      return session.publish({ topic: topicOf(msg.address), payload: msg.payload, qos, retain: false })
    },

    async disconnect(final?: Message) {
      const own = session
      if (!own) return
      session = null
      await own.close(final === undefined ? undefined : death(final))
    },

    onEvent(next) {
      listener = next
    },
  }
}

/** NDEATH, as the will or sent before DISCONNECT, goes at QoS 1 (tck-id payloads-ndeath-will-message-qos). */
function death(msg: Message): MqttMessage {
  return { topic: topicOf(msg.address), payload: msg.payload, qos: 1, retain: false }
}

function subscriptions(opts: ConnectOptions): string[] {
  const subs = [nodeTopic(opts.node, 'NCMD'), deviceTopic(opts.node, 'DCMD', '+')]
  if (opts.primaryHostId !== null) subs.push(stateTopic(opts.primaryHostId))
  return subs
}
