import { nanos, StorageType, type JetStreamManager, type StreamInfo } from 'nats'
import type { NatsConfig } from '../config/types.js'
import { NAMESPACE, nodeTopic, type NodeAddress } from '../base/topics.js'
import { subjectOf } from '../base/nats-subjects.js'
import { UndeliverableError, UpstreamError } from './upstream.js'

/**
 * The subjects this node publishes on: its own births, deaths and data, for the node and any
 * device. Not NCMD/DCMD: a stream capturing those would answer a host's command request with a
 * PubAck before the gateway could answer it.
 */
export function publishedSubjects(node: NodeAddress): string[] {
  const nodeSubject = (type: 'NBIRTH' | 'NDEATH' | 'NDATA') => subjectOf(nodeTopic(node, type))
  const deviceSubjects = (type: 'DBIRTH' | 'DDEATH' | 'DDATA') => `${subjectOf(`${NAMESPACE}/${node.groupId}/${type}/${node.edgeNodeId}`)}.*`
  return [nodeSubject('NBIRTH'), nodeSubject('NDEATH'), nodeSubject('NDATA'), deviceSubjects('DBIRTH'), deviceSubjects('DDEATH'), deviceSubjects('DDATA')]
}

/**
 * Makes sure the configured stream stores every subject this node publishes on, with a
 * duplicate window long enough for a retry after a restart to be recognised: created when
 * missing (and `create` allows it), refused with a message naming what to change otherwise.
 */
export async function ensureStream(jsm: JetStreamManager, config: NatsConfig['jetstream'], node: NodeAddress, url: string): Promise<void> {
  const wanted = publishedSubjects(node)
  let info: StreamInfo
  try {
    info = await jsm.streams.info(config.stream)
  } catch (error) {
    if (!isNotFound(error)) throw error
    if (!config.create) {
      throw new UpstreamError('refused', `JetStream stream ${config.stream} does not exist on ${url}; create it with subjects ${wanted.join(', ')} or set upstream.nats.jetstream.create: true`)
    }
    await jsm.streams.add({
      name: config.stream,
      subjects: wanted,
      storage: StorageType.File,
      num_replicas: config.replicas,
      duplicate_window: nanos(config.duplicateWindowMs),
    })
    return
  }
  const missing = wanted.filter((subject) => !info.config.subjects.some((filter) => covers(filter, subject)))
  if (missing.length > 0) {
    throw new UpstreamError('refused', `JetStream stream ${config.stream} on ${url} does not store ${missing.join(', ')} (its subjects: ${info.config.subjects.join(', ') || 'none'}); add them to the stream or name another stream in upstream.nats.jetstream.stream`)
  }
  const windowMs = Math.floor(info.config.duplicate_window / 1e6)
  if (windowMs < config.duplicateWindowMs) {
    throw new UpstreamError('refused', `JetStream stream ${config.stream} on ${url} keeps message ids for ${windowMs} ms, shorter than upstream.nats.jetstream.duplicateWindow (${config.duplicateWindowMs} ms): a row replayed after a restart could be stored twice; raise the stream's duplicate_window`)
  }
}

/** Whether the subject filter `filter` matches every subject `pattern` can match (`*` and `>` wildcards). */
export function covers(filter: string, pattern: string): boolean {
  const f = filter.split('.')
  const p = pattern.split('.')
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return i < p.length
    if (i >= p.length) return false
    if (f[i] === '*') {
      if (p[i] === '>') return false
      continue
    }
    if (f[i] !== p[i]) return false
  }
  return f.length === p.length
}

function isNotFound(error: unknown): boolean {
  const err = error as { code?: string; api_error?: { err_code?: number }; message?: string }
  return err.code === '404' || err.api_error?.err_code === 10059 || /stream not found/i.test(err.message ?? '')
}

/** Stream limits by the words nats-server uses when a stream with `discard: new` is at one. */
const limits: readonly (readonly [RegExp, string])[] = [
  [/maximum messages per subject/i, "the stream's max_msgs_per_subject is reached (discard: new)"],
  [/maximum messages/i, "the stream's max_msgs is reached (discard: new)"],
  [/maximum bytes/i, "the stream's max_bytes is reached (discard: new)"],
  [/insufficient (storage )?resources/i, "the server's or the account's JetStream storage limit is reached"],
]

/**
 * The server's refusal of a publish, in words naming the limit ("stream full: maximum messages
 * exceeded: the stream's max_msgs is reached ..."), or undefined when the server did not answer
 * with an error (no PubAck, a lost link).
 */
export function storeRefusal(error: unknown): string | undefined {
  const api = (error as { api_error?: { code?: number; err_code?: number; description?: string } } | null)?.api_error
  if (api === undefined) return undefined
  const what = api.description ?? `error ${api.code ?? 'without a code'}`
  const code = `err_code ${api.err_code ?? 'none'}`
  const limit = limits.find(([words]) => words.test(what))
  return limit === undefined ? `${what} (${code})` : `stream full: ${what}: ${limit[1]} (${code})`
}

/** JetStream's "message size exceeds maximum allowed": over the stream's max_msg_size. */
const MESSAGE_TOO_LARGE = 10054

/**
 * A refusal that retrying the same bytes cannot change: the message is larger than the server's
 * max_payload (nats.js refuses it before sending) or than the stream's max_msg_size, or the user's
 * publish permissions deny its subject (the server's -ERR, which nats.js turns into the failure of
 * the PubAck request). Undefined for anything else, which may be temporary.
 */
export function undeliverable(error: unknown, stream: string | null, subject: string, bytes: number, maxPayload: number | undefined): UndeliverableError | undefined {
  const err = error as { code?: string; api_error?: { err_code?: number; description?: string } } | null
  if (err?.code === 'MAX_PAYLOAD_EXCEEDED') {
    const limit = maxPayload === undefined ? '' : ` of ${maxPayload} bytes`
    const message = `${subject} is ${bytes} bytes, over the NATS server's max_payload${limit} (its headers count too): raise max_payload in the server's configuration, or make the tag's value smaller`
    return new UndeliverableError(`over the server's max_payload${limit}`, message, { cause: error })
  }
  if (err?.code === 'PERMISSIONS_VIOLATION') {
    const message = `the NATS server does not allow the gateway's user to publish to ${subject}: allow that subject in the user's publish permissions`
    return new UndeliverableError('not allowed by the publish permissions', message, { cause: error })
  }
  if (stream !== null && err?.api_error?.err_code === MESSAGE_TOO_LARGE) {
    const message = `JetStream stream ${stream} refused ${subject} of ${bytes} bytes: ${err.api_error.description ?? 'message size exceeds maximum allowed'} (err_code ${MESSAGE_TOO_LARGE}): raise the stream's max_msg_size (nats stream edit ${stream} --max-msg-size), or make the tag's value smaller`
    return new UndeliverableError(`over the max_msg_size of stream ${stream} (err_code ${MESSAGE_TOO_LARGE})`, message, { cause: error })
  }
  return undefined
}
