import type { IClientPublishOptions, MqttClient, Packet } from 'mqtt'
import type { Log } from '../model/log.js'
import { UpstreamError } from './upstream.js'
import type { ClientOptions, MqttMessage } from './mqtt-options.js'
import { asBuffer } from './mqtt-options.js'
import { publishRefusal, reasonCodeOf, toUpstreamError } from './mqtt-errors.js'
import { whenFlushed } from './mqtt-transport.js'
import { overBrokerLimit } from './mqtt-packet-size.js'
import { connectMqtt, reasonCodes } from './mqtt-connect.js'

/** How long an explicit final message (the NDEATH) may wait for its PUBACK. */
const finalAckMs = 1000
/** After this the socket is destroyed, whatever the broker is doing. */
const closeDeadlineMs = 2000
/** MQTT 5 DISCONNECT reason 0x04: the broker publishes the will too (Sparkplug asks for it). */
const disconnectWithWill = 4

// mqtt.js copies these, so sharing four constant objects keeps publish() allocation-free.
const publishOptions: Record<string, IClientPublishOptions> = {
  '0false': { qos: 0, retain: false },
  '0true': { qos: 0, retain: true },
  '1false': { qos: 1, retain: false },
  '1true': { qos: 1, retain: true },
}

export interface SessionHooks {
  readonly onConnectSent?: () => void
  readonly onMessage: (topic: string, payload: Buffer, retain: boolean) => void
  /** The up session ended without close() being called. Called at most once. */
  readonly onDown: (error: UpstreamError) => void
}

/** One mqtt.js client, one CONNECT, one lifetime: connecting → up → ended. Never reconnects. */
export interface MqttSession {
  /** Resolves after CONNACK and every SUBACK; rejects with UpstreamError after ending the client. */
  readonly ready: Promise<void>
  /** True between `ready` resolving and the end of the session. */
  isUp(): boolean
  /** Written (QoS 0) or PUBACKed (QoS 1); rejects with UpstreamError 'closed' once the session ended. */
  publish(msg: MqttMessage): Promise<void>
  /** Our own end: optional final message, then DISCONNECT; bounded, never rejects, no onDown. */
  close(final?: MqttMessage): Promise<void>
}

export function openSession(
  url: string,
  options: ClientOptions,
  subscribe: readonly string[],
  timeoutMs: number,
  hooks: SessionHooks,
  log: Log,
): MqttSession {
  const client: MqttClient = connectMqtt(url, options)
  let state: 'connecting' | 'up' | 'closing' | 'ended' = 'connecting'
  let lastError: Error | undefined
  // MQTT 5: the largest packet the broker takes, from its CONNACK.
  let brokerMaxPacket: number | undefined
  let closing: Promise<void> | undefined
  let fail: (err: Error) => void = () => {}
  // QoS 0 publishes that wait for 'drain' would hang forever if the socket dies; settle them on end.
  const waiting = new Set<(err?: Error) => void>()

  const end = (error: UpstreamError): void => {
    if (state === 'ended') return
    const wasUp = state === 'up'
    state = 'ended'
    client.end(true)
    for (const settle of waiting) settle(error)
    if (wasUp) hooks.onDown(error)
  }

  client.on('error', (err) => {
    lastError = err
    if (state === 'connecting') fail(err)
  })
  client.on('packetsend', (packet: Packet) => {
    if (packet.cmd === 'connect' && hooks.onConnectSent) whenFlushed(client.stream, hooks.onConnectSent)
  })
  client.on('disconnect', (packet) => {
    const rc = packet.reasonCode ?? 0
    lastError = new UpstreamError('closed', `MQTT broker ${url} ended the session: ${reasonCodes[rc] ?? 'reason ' + rc}`)
    client.end(true)
  })
  client.on('message', (topic, payload, packet) => {
    if (state !== 'ended') hooks.onMessage(topic, payload, packet.retain)
  })
  client.on('close', () => {
    if (state === 'connecting') fail(lastError ?? new UpstreamError('closed', `MQTT broker ${url} closed the connection before CONNACK`))
    else if (state === 'up') {
      const cause = lastError
      const error = cause instanceof UpstreamError ? cause : new UpstreamError('closed', `connection to MQTT broker ${url} lost${cause ? ': ' + cause.message : ''}`, { cause })
      log.warn('MQTT session down', { server: url, reason: error.message })
      end(error)
    }
  })

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new UpstreamError('timeout', `MQTT broker ${url} did not complete CONNECT and SUBSCRIBE within ${timeoutMs} ms`)), timeoutMs)
    fail = (err) => {
      if (state !== 'connecting') return
      clearTimeout(timer)
      const error = toUpstreamError(err, url)
      end(error)
      reject(error)
    }
    client.on('connect', (connack) => {
      brokerMaxPacket = connack.properties?.maximumPacketSize
      const up = (): void => {
        if (state !== 'connecting') return
        clearTimeout(timer)
        state = 'up'
        log.info('MQTT session up', { server: url, clientId: options.clientId })
        resolve()
      }
      if (subscribe.length === 0) return up()
      client.subscribe([...subscribe], { qos: 1 }, (err, granted) => {
        if (err) return fail(err)
        const refused = granted?.find((g) => g.qos >= 128)
        if (refused) return fail(new UpstreamError('refused', `MQTT broker ${url} refused the subscription to ${refused.topic}; check the broker ACL`))
        up()
      })
    })
    client.connect()
  })

  const send = (msg: MqttMessage): Promise<void> =>
    new Promise((resolve, reject) => {
      const tooLarge = overBrokerLimit(url, msg.topic, msg.payload.length, msg.qos, brokerMaxPacket)
      if (tooLarge) return reject(tooLarge)
      let done = false
      const settle = (err?: Error): void => {
        if (done) return
        done = true
        waiting.delete(settle)
        const code = err ? reasonCodeOf(err) : undefined
        if (!err) resolve()
        else if (err instanceof UpstreamError) reject(err)
        else if (code !== undefined) reject(publishRefusal(err, code, url, msg.topic, msg.payload.length))
        else reject(new UpstreamError('closed', `MQTT session to ${url} ended before the publish to ${msg.topic} completed`, { cause: err }))
      }
      client.publish(msg.topic, asBuffer(msg.payload), publishOptions[`${msg.qos}${msg.retain}`], settle)
      if (!done) waiting.add(settle)
    })

  const finish = async (final: MqttMessage | undefined): Promise<void> => {
    const deadline = setTimeout(() => end(new UpstreamError('closed', 'disconnected')), closeDeadlineMs)
    let finalSent = true
    if (final) {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<void>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no PUBACK within ${finalAckMs} ms`)), finalAckMs)
      })
      try {
        await Promise.race([send(final), timeout])
      } catch (err) {
        finalSent = false
        log.warn('final message not confirmed; closing without DISCONNECT so the broker publishes the will', { topic: final.topic, reason: (err as Error).message })
      } finally {
        clearTimeout(timer)
      }
    }
    if (finalSent && state === 'closing' && client.connected) {
      const opts = options.protocolVersion === 5 ? { reasonCode: disconnectWithWill } : {}
      await new Promise<void>((resolve) => {
        client.once('close', () => resolve())
        client.end(false, opts, () => resolve())
      })
    }
    clearTimeout(deadline)
    end(new UpstreamError('closed', `MQTT session to ${url} was closed by the gateway`))
  }

  return {
    ready,
    isUp: () => state === 'up',
    publish: (msg) => (state === 'up' ? send(msg) : Promise.reject(new UpstreamError('closed', `no live MQTT session to ${url}`))),
    close(final) {
      if (state === 'connecting') fail(new UpstreamError('closed', `connecting to MQTT broker ${url} was cancelled by disconnect()`))
      if (state === 'up') {
        state = 'closing'
        closing = finish(final)
      }
      return closing ?? Promise.resolve()
    },
  }
}
