import type { MqttConfig } from '../config/types.js'
import type { Log } from '../model/log.js'
import type { Message, Upstream, UpstreamEvent } from './upstream.js'
import { UpstreamError } from './upstream.js'
import { buildClientOptions } from './mqtt-options.js'
import type { MqttSession } from './mqtt-session.js'
import { openSession } from './mqtt-session.js'

/**
 * The MQTT upstream (mqtt.js). Every `connect` builds a new client with its own will and
 * `reconnectPeriod: 0`: mqtt.js would otherwise reconnect with the old will, and so the old
 * bdSeq. The pump owns reconnecting.
 */
export function createMqttUpstream(config: MqttConfig, log: Log): Upstream {
  let session: MqttSession | null = null
  let listener: (event: UpstreamEvent) => void = () => {}

  const closed = (): Promise<never> => Promise.reject(new UpstreamError('closed', 'no live MQTT session (not connected yet, or the connection was lost)'))

  return {
    servers: config.servers,

    async connect(opts) {
      const previous = session
      session = null
      if (previous) await previous.close()
      const url = config.servers[opts.server]
      if (url === undefined) {
        throw new UpstreamError('unreachable', `no MQTT server at index ${opts.server}; upstream.mqtt.servers has ${config.servers.length}`)
      }
      const options = await buildClientOptions(config, url, opts.will, config.serverLogins?.[opts.server] ?? null)
      const own: MqttSession = openSession(url, options, opts.subscribe, config.connectTimeoutMs, {
        onConnectSent: opts.onConnectSent,
        onMessage: (topic, payload, retain) => {
          if (session === own) listener({ type: 'message', topic, payload, retain })
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
      return session ? session.publish(msg) : closed()
    },

    async disconnect(final?: Message) {
      const own = session
      if (!own) return
      session = null
      await own.close(final)
    },

    onEvent(next) {
      listener = next
    },
  }
}
