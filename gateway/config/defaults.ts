/**
 * Every default of gateway.yaml and of device files, in one visible place. The example file
 * (deploy/gateway.example.yaml) shows these values and a test keeps the two in step.
 */
export const defaults = {
  sparkplug: { uint32Field: 'long_value' },
  mqtt: {
    version: '3.1.1',
    keepaliveMs: 30_000,
    connectTimeoutMs: 10_000,
    reconnectMinMs: 1_000,
    reconnectMaxMs: 30_000,
    dataQos: 0,
    /** The QoS 0 replay window, in keepalives: the longest a dead connection can go unnoticed. */
    replayWindowKeepalives: 1.5,
    verifyHostname: true,
  },
  nats: {
    mode: 'core',
    keepaliveMs: 10_000,
    connectTimeoutMs: 10_000,
    reconnectMinMs: 1_000,
    reconnectMaxMs: 30_000,
    heartbeatMs: 10_000,
    /** The core NATS replay window, in keepalives: the client finds a connection dead after two unanswered PINGs. */
    replayWindowKeepalives: 3.5,
    verifyHostname: true,
    jetstream: { stream: 'SPARKPLUG', create: true, replicas: 1, duplicateWindowMs: 3_600_000, ackTimeoutMs: 5_000 },
  },
  devicesDir: 'devices/',
  stateDir: '/var/lib/sparkplug-gateway',
  buffer: {
    /** Relative to the state directory. */
    file: 'buffer.db',
    maxSizeBytes: 512 * 2 ** 20,
    whenFull: 'drop-oldest',
    durability: 'power',
  },
  http: { listen: '127.0.0.1:9780' },
  log: { level: 'info' },
  commands: {
    writes: true,
    reboot: true,
    scanRate: true,
    scanRateMinMs: 100,
    scanRateMaxMs: 3_600_000,
    maxPayloadBytes: 64 * 2 ** 10,
    maxMetrics: 100,
    maxQueuedWrites: 20,
    auditValueLength: 200,
  },
  /**
   * Tags one device file may declare. Loading takes about 5 KB of memory per tag of a YAML file
   * (1.4 KB from a CSV tag list) and a running tag about 1 KiB, and one device's birth carries all.
   */
  limits: { tagsPerDevice: 20_000 },
  device: { pollMs: 1_000, offlineAfter: 3 },
  tag: { deadband: 0, writable: false, writeIntervalMs: 0 },
} as const
