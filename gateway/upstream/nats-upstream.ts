import { connect, type JetStreamClient, type Msg, type NatsConnection } from 'nats'
import type { NatsConfig } from '../config/types.js'
import type { Log } from '../model/log.js'
import { parseTopic, topicOf, type SparkplugAddress } from '../base/topics.js'
import { natsError, natsOptions } from './nats-options.js'
import { ensureStream, storeRefusal, undeliverable } from './nats-stream.js'
import { warnDeniedPublishes } from './nats-permissions.js'
import { dcmdSubjects, ncmdSubject, stateSubject, subjectOf, topicOf as topicOfSubject } from '../base/nats-subjects.js'
import type { ConnectOptions, Message, Upstream, UpstreamCapabilities, UpstreamEvent } from './upstream.js'
import { serverAt, UpstreamError } from './upstream.js'

/** How long the final NDEATH may take before the connection is closed anyway. */
const finalMs = 1000
/** Publishes in flight: JetStream confirms each, so a window keeps the link busy during a replay. */
const maxInFlight = 128

interface NatsSession {
  readonly nc: NatsConnection
  readonly js: JetStreamClient | null
  readonly url: string
  ended: boolean
  /** disconnect() is under way: the session ends without a `down` event. */
  closing: boolean
}

/**
 * The NATS upstream (nats.js v2): Sparkplug messages on subjects per nats-server's MQTT mapping, over core NATS
 * (at most once, like QoS 0) or JetStream (every message stored; a data message carries its
 * outbox row id as `Nats-Msg-Id`, so a retry after a crash or reconnect is dropped by the
 * stream). NATS has no will: the pump declares a heartbeat in NBIRTH instead. A command sent as a
 * request gets a reply. A PubAck that does not come within `ackTimeout` ends the session, so the
 * pump reconnects (to the next server of a cluster) and replays what was not confirmed; a PubAck
 * that refuses the message (the stream is full) keeps the session, and the pump retries. A message
 * too large for the server or the stream can never be taken: UndeliverableError, session kept.
 */
/** Core NATS only writes; JetStream confirms, keeps the last STATE and deduplicates by message id. */
function capabilitiesOf(config: NatsConfig): UpstreamCapabilities {
  const jetstream = config.mode === 'jetstream'
  return {
    will: false,
    confirmsData: jetstream,
    replayWindowMs: config.replayWindowMs,
    deduplicates: jetstream,
    retainedState: jetstream,
    requestReply: true,
    heartbeatMs: config.heartbeatMs,
    maxInFlight,
  }
}

export function createNatsUpstream(config: NatsConfig, log: Log): Upstream {
  let session: NatsSession | null = null
  let listener: (event: UpstreamEvent) => void = () => {}
  const jetstream = config.mode === 'jetstream'

  const capabilities = capabilitiesOf(config)

  const down = (own: NatsSession, error: UpstreamError): void => {
    if (own.ended) return
    own.ended = true
    if (session === own) session = null
    void own.nc.close()
    if (own.closing) return
    log.warn('NATS session down', { server: own.url, reason: error.message })
    listener({ type: 'down', error })
  }

  const publish = async (own: NatsSession, msg: Message): Promise<void> => {
    if (own.ended) throw new UpstreamError('closed', `no live NATS session to ${own.url}`)
    const subject = subjectOf(topicOf(msg.address))
    const never = (error: unknown) => undeliverable(error, own.js === null ? null : config.jetstream.stream, subject, msg.payload.length, own.nc.info?.max_payload)
    if (own.js === null) {
      try {
        own.nc.publish(subject, msg.payload)
      } catch (error) {
        throw never(error) ?? natsError(error, own.url, config.auth)
      }
      return
    }
    try {
      const ack = await own.js.publish(subject, msg.payload, { timeout: config.jetstream.ackTimeoutMs, ...(msg.id === undefined ? {} : { msgID: msg.id }) })
      if (ack.stream !== config.jetstream.stream) log.debug('message stored in another stream', { subject, stream: ack.stream })
    } catch (error) {
      const refusedForGood = never(error)
      if (refusedForGood !== undefined) throw refusedForGood
      const refusal = storeRefusal(error)
      // The server answered: the link is fine, and a new session would be refused the same way.
      if (refusal !== undefined) throw new UpstreamError('refused', `JetStream stream ${config.jetstream.stream} on ${own.url} refused ${subject}: ${refusal}`, { cause: error })
      const err = natsError(error, own.url, config.auth)
      if (own.ended) throw new UpstreamError('closed', `NATS session to ${own.url} ended before the PubAck for ${subject}`, { cause: error })
      // No PubAck in time: the stream may be electing a leader or the link is half dead; a new
      // session (maybe on the next server) replays what was not confirmed, and ids keep it single.
      const lost = new UpstreamError('timeout', `no PubAck for ${subject} from ${own.url} within ${config.jetstream.ackTimeoutMs} ms (upstream.nats.jetstream.ackTimeout): ${err.message}`, { cause: error })
      down(own, lost)
      throw lost
    }
  }

  /** Ends the current session without a death message: the next connect replaces it. */
  async function dropSession(): Promise<void> {
    const previous = session
    session = null
    if (previous === null) return
    previous.ended = true
    await previous.nc.close()
  }

  return {
    servers: config.servers,
    capabilities,

    async connect(opts: ConnectOptions) {
      await dropSession()
      const url = serverAt(config.servers, opts.server, 'upstream.nats.servers')
      let nc: NatsConnection
      try {
        nc = await connect(await natsOptions(config, url))
      } catch (error) {
        throw natsError(error, url, config.auth)
      }
      // NATS has no will, so the bdSeq is used from the moment the server has the connection.
      opts.onConnectSent?.()
      if (!jetstream) void warnDeniedPublishes(nc, url, log)
      let own: NatsSession | null = null
      try {
        const js = jetstream ? await openStream(nc, opts, url) : null
        const live: NatsSession = { nc, js, url, ended: false, closing: false }
        own = live
        const receive = (subject: string, payload: Uint8Array, retain: boolean, reply?: (body: Uint8Array) => void): void => {
          if (session !== live) return
          const address = addressOfSubject(subject)
          if (address === null) return
          const refused = aliasRefusal(subject, address)
          listener({ type: 'message', address, payload, retain, origin: subject, ...(reply === undefined ? {} : { reply }), ...(refused === undefined ? {} : { refused }) })
        }
        const answerable = (msg: Msg) => (msg.reply ? (body: Uint8Array) => void msg.respond(body) : undefined)
        const subjects = [ncmdSubject(opts.node.groupId, opts.node.edgeNodeId), dcmdSubjects(opts.node.groupId, opts.node.edgeNodeId)]
        if (opts.primaryHostId !== null) subjects.push(stateSubject(opts.primaryHostId))
        for (const subject of subjects) nc.subscribe(subject, { callback: (err, msg) => (err === null ? receive(msg.subject, msg.data, false, answerable(msg)) : undefined) })
        // The subscriptions are live on the server once it has answered a PING sent after them.
        await nc.flush()
        session = live
        void nc.closed().then((error) => {
          const cause = error instanceof Error ? error : undefined
          down(live, new UpstreamError('closed', `connection to NATS server ${url} lost${cause ? ': ' + cause.message : ''}`, { cause }))
        })
        if (opts.primaryHostId !== null && js !== null) await lastState(nc, opts.primaryHostId, (subject, data) => receive(subject, data, true), log)
        log.info('NATS session up', { server: url, mode: config.mode, name: config.name })
      } catch (error) {
        if (own !== null) own.ended = true
        if (session === own) session = null
        await nc.close()
        throw natsError(error, url, config.auth)
      }
    },

    publish(msg: Message) {
      const own = session
      if (own === null) return Promise.reject(new UpstreamError('closed', 'no live NATS session (not connected yet, or the connection was lost)'))
      return publish(own, msg)
    },

    async disconnect(final?: Message) {
      const own = session
      if (own === null) return
      session = null
      own.closing = true
      if (final !== undefined) {
        let timer: NodeJS.Timeout | undefined
        const timeout = new Promise<void>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`not confirmed within ${finalMs} ms`)), finalMs)
        })
        try {
          await Promise.race([publish(own, final).then(() => own.nc.flush()), timeout])
        } catch (error) {
          log.warn('final NDEATH not confirmed; consumers see the node dead when its heartbeat stops', { server: own.url, reason: (error as Error).message })
        } finally {
          clearTimeout(timer)
        }
      }
      own.ended = true
      await own.nc.close()
    },

    onEvent(next) {
      listener = next
    },
  }

  async function openStream(nc: NatsConnection, opts: ConnectOptions, url: string): Promise<JetStreamClient> {
    const jsm = await nc.jetstreamManager({ timeout: config.jetstream.ackTimeoutMs })
    await ensureStream(jsm, config.jetstream, opts.node, url)
    return nc.jetstream({ timeout: config.jetstream.ackTimeoutMs })
  }
}

/**
 * Several subjects map to one topic (`A/`, `/A` and `A` all name device `A`: a lone `/` is an empty
 * level's marker). Only the subject the node subscribes for an id is honoured, so a server-side
 * permission on that subject cannot be bypassed by an alias.
 */
function aliasRefusal(subject: string, address: SparkplugAddress): string | undefined {
  const own = subjectOf(topicOf(address))
  if (own === subject) return undefined
  const whose = address.type === 'STATE' ? `host ${address.hostId}` : address.deviceId === null ? `node ${address.edgeNodeId}` : `device ${address.deviceId}`
  return `subject ${subject} is not the subject of ${whose} (${own}); an alias is refused`
}

function addressOfSubject(subject: string): SparkplugAddress | null {
  try {
    return parseTopic(topicOfSubject(subject))
  } catch {
    return null
  }
}

/**
 * The primary host's last STATE, where a stream keeps the STATE subject: NATS has no retained
 * messages, and a host publishes STATE only when it connects. Delivered as retained; the
 * timestamp rule in HostState orders it against a live STATE that arrives meanwhile.
 */
async function lastState(nc: NatsConnection, hostId: string, deliver: (subject: string, data: Uint8Array) => void, log: Log): Promise<void> {
  const subject = stateSubject(hostId)
  try {
    const jsm = await nc.jetstreamManager()
    const stream = await jsm.streams.find(subject)
    const stored = await jsm.streams.getMessage(stream, { last_by_subj: subject })
    deliver(subject, stored.data)
  } catch (error) {
    log.debug('no stored STATE of the primary host', { host: hostId, reason: (error as Error).message })
  }
}
