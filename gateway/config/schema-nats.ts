/** The JSON Schema of `upstream.nats` in gateway.yaml. */
import type { JsonSchema } from '../../drivers/driver.js'
import { defaults } from './defaults.js'
import { choice, duration, object, text } from './schema-parts.js'

export function natsSchema(): JsonSchema {
  const d = defaults.nats
  const file = (what: string): JsonSchema => text(`File holding ${what}, relative to gateway.yaml; keep it chmod 600 (a group- or world-readable file is a warning).`)
  const server = { type: 'string', pattern: '^(nats|tls)://' }
  return object(
    {
      servers: {
        description: 'NATS server URLs in failover order (nats:// or tls://); a single URL may be written without brackets. No user or password in them: use auth.',
        oneOf: [{ type: 'array', minItems: 1, items: server }, server],
      },
      mode: choice(['core', 'jetstream'], d.mode, 'core: at most once, like QoS 0. jetstream: every message stored in a stream; buffered rows leave only on PubAck.'),
      name: text('Client name shown by the server (connz). Default: <groupId>-<edgeNodeId>, other characters than letters, digits, _ and - replaced by -.'),
      auth: object(
        {
          tokenFile: file('the token (a final newline is ignored)'),
          username: text('User name, with passwordFile.'),
          passwordFile: file('the password of username (a final newline is ignored)'),
          nkeySeedFile: file('an NKey user seed (SU…)'),
          credentialsFile: file('a user JWT and its NKey seed (a .creds file, as nsc writes it)'),
        },
        'How to authenticate: exactly one of tokenFile, username with passwordFile, nkeySeedFile or credentialsFile.',
      ),
      tls: object(
        {
          ca: text('CA certificate (PEM) to trust for the servers, relative to gateway.yaml. Default: the system CAs.'),
          cert: text('Client certificate (PEM), relative to gateway.yaml; needs key.'),
          key: text('Client private key (PEM), relative to gateway.yaml; needs cert.'),
          verifyHostname: { type: 'boolean', default: d.verifyHostname, description: "Check that the server certificate names the server's host." },
        },
        'TLS settings for tls:// servers.',
      ),
      keepalive: duration('Interval of the client PINGs (1s to 1h); a connection missing two answers is found dead.', d.keepaliveMs),
      connectTimeout: duration('Time allowed for one connection attempt.', d.connectTimeoutMs),
      reconnect: object(
        {
          min: duration('Delay before the first reconnect attempt.', d.reconnectMinMs),
          max: duration('Longest delay between reconnect attempts (the delay doubles, with jitter).', d.reconnectMaxMs),
        },
        'Reconnect backoff.',
      ),
      heartbeat: duration('Interval of the liveness message while nothing else is published (1s to 1h), declared in NBIRTH: NATS has no will.', d.heartbeatMs),
      replayWindow: duration('Core NATS: data published this recently before the connection is found dead is replayed as history. Default: 3.5 x keepalive.'),
      jetstream: object(
        {
          stream: { type: 'string', pattern: '^[^\\s.*>\\\\/]{1,255}$', default: d.jetstream.stream, description: "Stream holding the node's subjects; no spaces, '.', '*', '>', '/' or '\\'." },
          create: { type: 'boolean', default: d.jetstream.create, description: 'Create the stream (file storage) when it does not exist.' },
          replicas: { type: 'integer', minimum: 1, maximum: 5, default: d.jetstream.replicas, description: 'Replicas of a created stream.' },
          duplicateWindow: duration('Duplicate window of a created stream, and the shortest accepted on an existing one (at least 1m).', d.jetstream.duplicateWindowMs),
          ackTimeout: duration('How long a publish may wait for its PubAck before the connection is treated as lost.', d.jetstream.ackTimeoutMs),
        },
        'JetStream mode: where messages are stored.',
      ),
    },
    'A NATS server or cluster: Sparkplug topics as NATS subjects, / as . and . as //.',
    ['servers'],
  )
}
