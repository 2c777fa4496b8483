/**
 * JSON Schemas (draft 2020-12) of gateway.yaml and of device files, for `sparkplug-gateway schema`
 * and editors (yaml-language-server's `# yaml-language-server: $schema=...`). They describe the
 * keys parse.ts and device.ts accept; a test keeps the key lists equal.
 */
import type { JsonSchema } from '../../drivers/driver.js'
import { defaults } from './defaults.js'
import { sparkplugTypes, type Registry } from './device.js'
import { logLevels } from './parse.js'
import { formatDuration } from './units.js'

const draft = 'https://json-schema.org/draft/2020-12/schema'

const duration = (description: string, defaultMs?: number): JsonSchema => ({
  type: 'string',
  pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$',
  description: `${description} A duration: 250ms, 5s, 2m, 1h.`,
  ...(defaultMs === undefined ? {} : { default: formatDuration(defaultMs) }),
})

const id = (description: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  pattern: '^[^/+#]+$',
  description: `${description} Becomes an MQTT topic level: no /, + or #.`,
})

const object = (properties: Record<string, JsonSchema>, description: string, required: string[] = []): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: false,
  properties,
  ...(required.length === 0 ? {} : { required }),
})

const text = (description: string): JsonSchema => ({ type: 'string', description })

const choice = (values: readonly unknown[], fallback: unknown, description: string): JsonSchema => ({
  enum: values,
  default: fallback,
  description,
})

export function gatewaySchema(): JsonSchema {
  const mqtt = object(
    {
      servers: {
        description: 'Broker URLs in failover order (mqtt://, mqtts://, ws://, wss://); a single URL may be written without brackets. A user:password@ in a URL is used for that server and never shown.',
        oneOf: [
          { type: 'array', minItems: 1, items: { type: 'string', pattern: '^(mqtts?|wss?)://' } },
          { type: 'string', pattern: '^(mqtts?|wss?)://' },
        ],
      },
      version: choice(['3.1.1', '5', 5], defaults.mqtt.version, 'MQTT protocol version.'),
      clientId: text('MQTT client id. Default: <groupId>-<edgeNodeId>, other characters than letters, digits, _ and - replaced by -.'),
      username: text('MQTT user name.'),
      passwordFile: text('File holding the MQTT password (a final newline is ignored), relative to gateway.yaml. Keep it chmod 600: a group- or world-readable file is a warning.'),
      allowPlaintextCredentials: {
        type: 'boolean',
        default: false,
        description: 'Accept a server list that mixes TLS (mqtts://, wss://) and plaintext (mqtt://, ws://) servers while a password is configured; the password then travels in clear text to the plaintext ones.',
      },
      tls: object(
        {
          ca: text('CA certificate (PEM) to trust for the broker, relative to gateway.yaml. Default: the system CAs.'),
          cert: text('Client certificate (PEM), relative to gateway.yaml; needs key.'),
          key: text('Client private key (PEM), relative to gateway.yaml; needs cert.'),
          verifyHostname: {
            type: 'boolean',
            default: defaults.mqtt.verifyHostname,
            description: "Check that the broker certificate names the server's host.",
          },
        },
        'TLS settings for mqtts:// and wss:// servers.',
      ),
      keepalive: duration('MQTT keepalive, whole seconds.', defaults.mqtt.keepaliveMs),
      connectTimeout: duration('Time allowed for one connection attempt.', defaults.mqtt.connectTimeoutMs),
      reconnect: object(
        {
          min: duration('Delay before the first reconnect attempt.', defaults.mqtt.reconnectMinMs),
          max: duration('Longest delay between reconnect attempts (the delay doubles, with jitter).', defaults.mqtt.reconnectMaxMs),
        },
        'Reconnect backoff.',
      ),
      dataQos: choice(
        [0, 1],
        defaults.mqtt.dataQos,
        'QoS of NDATA/DDATA: 0 as Sparkplug says; 1 keeps rows in the buffer until the broker acknowledges them.',
      ),
      replayWindow: duration('QoS 0: data published this recently before the connection is found dead is replayed as history after reconnecting. Default: 1.5 x keepalive.'),
    },
    'An MQTT broker (or several, for Sparkplug multi-server failover).',
    ['servers'],
  )
  return {
    $schema: draft,
    title: 'sparkplug-gateway gateway.yaml',
    ...object(
      {
        sparkplug: object(
          {
            groupId: id('Sparkplug group id.'),
            edgeNodeId: id('Sparkplug edge node id of this gateway.'),
            primaryHostId: id('Wait for this host application to be online (STATE) before publishing births.'),
            uint32Field: choice(
              ['long_value', 'int_value'],
              defaults.sparkplug.uint32Field,
              'Payload field for UInt32 values: long_value (Ignition, Tahu) or int_value (the spec text).',
            ),
          },
          'The Sparkplug identity of this edge node.',
          ['groupId', 'edgeNodeId'],
        ),
        upstream: {
          ...object({ mqtt, nats: natsSchema() }, 'Where Sparkplug messages go: exactly one of mqtt or nats.'),
          oneOf: [{ required: ['mqtt'] }, { required: ['nats'] }],
        },
        devices: text(
          `Directory of device files (*.yaml, *.yml, *.json), relative to gateway.yaml. Default: ${defaults.devicesDir}`,
        ),
        stateDir: text(`Directory for bdSeq, the buffer and OPC UA certificates. Default: ${defaults.stateDir}`),
        buffer: object(
          {
            path: {
              type: ['string', 'null'],
              description:
                `SQLite store-and-forward file, relative to gateway.yaml. Default: ${defaults.buffer.file} in stateDir. ` +
                'null or "memory": keep it in memory (lost on restart).',
            },
            maxSize: {
              type: ['string', 'integer'],
              pattern: '^\\d+(\\.\\d+)?\\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$',
              default: '512MiB',
              description: 'Largest size of the buffer on disk: 64KiB, 512MiB, 1GiB, 1GB; a bare number is bytes.',
            },
            whenFull: choice(['drop-oldest', 'drop-newest'], defaults.buffer.whenFull, 'What to drop when the buffer is full; drops are counted.'),
            durability: choice(
              ['power', 'process'],
              defaults.buffer.durability,
              'power: fsync at each commit (survives power loss); process: survives crashes of the gateway only.',
            ),
          },
          'Store-and-forward buffer.',
        ),
        http: object(
          { listen: { type: 'string', default: defaults.http.listen, description: 'host:port serving /metrics, /healthz and /status.' } },
          'The local HTTP listener.',
        ),
        log: object({ level: choice(logLevels, defaults.log.level, 'Least severe level logged.') }, 'Logging.'),
        commands: commandsSchema(),
        limits: object(
          { tagsPerDevice: { type: 'integer', minimum: 1, default: defaults.limits.tagsPerDevice, description: 'Most tags one device file may declare; a file with more is refused at load.' } },
          'Bounds of what device files may declare.',
        ),
      },
      'The gateway node: Sparkplug identity, upstream, buffer and where device files are.',
      ['sparkplug', 'upstream'],
    ),
  }
}

function natsSchema(): JsonSchema {
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
    'A NATS server or cluster (SPEC §8): Sparkplug topics as NATS subjects, / as . and . as //.',
    ['servers'],
  )
}

const sizePattern = '^\\d+(\\.\\d+)?\\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$'

function commandsSchema(): JsonSchema {
  const c = defaults.commands
  const flag = (fallback: boolean, description: string): JsonSchema => ({ type: 'boolean', default: fallback, description })
  const count = (fallback: number, minimum: number, description: string): JsonSchema => ({ type: 'integer', minimum, default: fallback, description })
  return object(
    {
      writes: flag(c.writes, 'false: every DCMD (tag write) is refused, for a read-only gateway.'),
      reboot: flag(c.reboot, 'false: Node Control/Reboot is refused.'),
      scanRate: flag(c.scanRate, 'false: Node Control/Scan Rate is refused.'),
      scanRateMin: duration('Shortest Scan Rate a host may set (0 always restores the configured periods).', c.scanRateMinMs),
      scanRateMax: duration('Longest Scan Rate a host may set.', c.scanRateMaxMs),
      maxPayloadSize: {
        type: ['string', 'integer'],
        pattern: sizePattern,
        default: '64KiB',
        description: 'Largest NCMD/DCMD payload; a larger one is refused whole before it is decoded.',
      },
      maxMetrics: count(c.maxMetrics, 1, 'Most metrics in one NCMD/DCMD; a command with more is refused whole.'),
      maxQueuedWrites: count(c.maxQueuedWrites, 1, 'Writes waiting per device; writes beyond this are refused and counted.'),
      auditValueLength: count(c.auditValueLength, 16, 'Longer values in audit lines are cut to this many characters, with their length and a sha256 digest.'),
    },
    'What hosts may command (NCMD/DCMD) and how much. Sparkplug carries no sender identity: restrict who may publish commands at the broker.',
  )
}

const commonTagProperties: Record<string, JsonSchema> = {
  name: { type: ['string', 'number'], description: "Sparkplug metric name, unique in the device (ignoring case); '/' makes folders." },
  poll: duration("Scan period of this tag. Default: the device's poll."),
  scale: { type: 'number', not: { const: 0 }, description: 'engineering = raw * scale + offset.' },
  offset: { type: 'number', description: 'engineering = raw * scale + offset.' },
  units: text('Engineering units, sent as a birth property.'),
  description: text('Free text.'),
  deadband: {
    type: 'number',
    minimum: 0,
    default: defaults.tag.deadband,
    description: 'Absolute change below which a value is not reported (0: every change).',
  },
  writable: { type: 'boolean', default: defaults.tag.writable, description: 'NCMD/DCMD may write this tag.' },
  min: { type: 'number', description: 'Smallest value a write may set.' },
  max: { type: 'number', description: 'Largest value a write may set.' },
  allowed: { type: 'array', minItems: 1, items: { type: ['number', 'string', 'boolean'] }, description: 'The only values a write may set.' },
  writeInterval: duration('Least time between two accepted writes (protects actuators).', defaults.tag.writeIntervalMs),
  sparkplugType: { enum: sparkplugTypes, description: "Sparkplug datatype to publish; default: from the driver's type and scaling." },
}

const csvTags: JsonSchema = { type: 'string', description: 'A CSV file (relative to this file) with a header row naming tag keys and one tag per row.' }

export function deviceSchema(registry: Registry): JsonSchema {
  const names = Object.keys(registry)
  return {
    $schema: draft,
    title: 'sparkplug-gateway device file',
    ...object(
      {
        device: id('Sparkplug device id, unique among the devices (ignoring case).'),
        driver: { enum: names, description: 'Which driver talks to the device.' },
        connection: { type: 'object', description: "How to reach the device; keys depend on the driver." },
        poll: duration('Default scan period of the tags.', defaults.device.pollMs),
        offlineAfter: {
          type: 'integer',
          minimum: 1,
          default: defaults.device.offlineAfter,
          description: 'Failed scans in a row before the device is declared offline (DDEATH).',
        },
        tags: {
          description: 'The tags: a list, or the path of a CSV file.',
          oneOf: [{ type: 'array', minItems: 1, items: { $ref: '#/$defs/tag' } }, csvTags],
        },
      },
      'One device: its Sparkplug id, driver, connection and tags.',
      ['device', 'driver', 'tags'],
    ),
    $defs: { tag: { type: 'object', required: ['name'], properties: commonTagProperties } },
    allOf: names.map((kind) => ({
      if: { properties: { driver: { const: kind } }, required: ['driver'] },
      then: {
        properties: {
          connection: registry[kind].schema.connection,
          tags: {
            oneOf: [
              {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { ...commonTagProperties, ...registry[kind].schema.tagProperties },
                },
              },
              csvTags,
            ],
          },
        },
      },
    })),
  }
}
