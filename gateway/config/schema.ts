/**
 * JSON Schemas (draft 2020-12) of gateway.yaml and of device files, for `sparkplug-gateway schema`
 * and editors (yaml-language-server's `# yaml-language-server: $schema=...`). They describe the
 * keys parse.ts and device.ts accept; a test keeps the key lists equal.
 */
import type { JsonSchema } from '../../drivers/driver.js'
import { defaults } from './defaults.js'
import { logLevels } from './parse.js'
import { choice, draft, duration, id, object, sizePattern, text } from './schema-parts.js'
import { natsSchema } from './schema-nats.js'

export { deviceSchema } from './schema-device.js'
export { typeSchema } from './schema-type.js'

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
          {
            listen: { type: 'string', default: defaults.http.listen, description: 'host:port serving the status page (/), /metrics, /healthz and /status. Beyond loopback, auth is required.' },
            auth: object(
              {
                username: { type: 'string', description: 'User name for HTTP Basic authentication, with passwordFile.' },
                passwordFile: { type: 'string', description: 'File holding the password (one line; chmod 600).' },
                tokenFile: { type: 'string', description: 'File holding a bearer token (one line; chmod 600), instead of username and passwordFile.' },
              },
              'Credentials for the listener: username with passwordFile, or tokenFile. Required when listen is not a loopback address.',
            ),
            tls: object(
              {
                certFile: { type: 'string', description: 'PEM certificate the listener presents (the server certificate, then any intermediates).' },
                keyFile: { type: 'string', description: 'PEM private key of that certificate, without a passphrase (chmod 600).' },
              },
              'Serve https instead of http, with this certificate and key; checked at load. Credentials are still required beyond loopback.',
              ['certFile', 'keyFile'],
            ),
          },
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
