/** JSON Schema of an OPC UA device's `connection` and of the tag keys this driver reads (for `sparkplug-gateway schema`). */
import type { JsonSchema } from '../driver.js'
import { defaults, deprecatedPolicies, securityModes, securityPolicies } from './config.js'
import { opcuaTypeNames } from './types.js'

const duration = (description: string, def: string): JsonSchema =>
  ({ type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$', description, default: def })
const absolutePath = (description: string): JsonSchema => ({ type: 'string', pattern: '^/', description })

export const connectionSchema: JsonSchema = {
  type: 'object',
  required: ['endpoint'],
  additionalProperties: false,
  properties: {
    endpoint: { type: 'string', pattern: '^opc\\.tcp://', description: 'opc.tcp://host:port/path of the server' },
    securityMode: { enum: securityModes, default: defaults.securityMode },
    securityPolicy: {
      enum: ['None', ...securityPolicies, ...deprecatedPolicies],
      default: defaults.securedPolicy,
      description: `With Sign or SignAndEncrypt; ${deprecatedPolicies.join(' and ')} are deprecated and used only when named.`,
    },
    user: {
      description: 'User identity; leave out for anonymous.',
      oneOf: [
        { type: 'object', required: ['username', 'passwordFile'], additionalProperties: false,
          properties: { username: { type: 'string' }, passwordFile: absolutePath('file holding the password') } },
        { type: 'object', required: ['certificate', 'privateKey'], additionalProperties: false,
          properties: { certificate: absolutePath('X.509 user certificate, PEM or DER'), privateKey: absolutePath('its PEM private key') } },
      ],
    },
    mode: { enum: ['subscription', 'polling'], default: defaults.mode, description: 'subscription: monitored items push changes; polling: a batched Read per scan' },
    publishingInterval: { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$', description: "Subscription publishing interval. Default: the fastest poll of the device's tags." },
    timeout: duration('How long one request waits for its answer.', defaults.timeout),
    trustServer: { type: 'boolean', default: false, description: 'Accept an unknown server certificate without `sparkplug-gateway trust` (warned at every connect).' },
    maxBytesPerScan: { type: ['string', 'integer'], default: '4MiB', description: 'Bytes of values one Read or one Publish answer may bring (up to 64MiB); the values past it are bad readings.' },
    pkiDir: absolutePath(`The client PKI (own certificate, trusted/ and rejected/). Default: opcua-pki in the gateway's stateDir`),
  },
}

export const tagProperties: Readonly<Record<string, JsonSchema>> = {
  nodeId: { type: 'string', description: 'ns=2;s=Press4.Pressure, ns=3;i=1001, ns=1;g=<guid>, ns=1;b=<base64>, or nsu=<uri>;...' },
  type: { enum: opcuaTypeNames.flatMap((n) => [n, `${n}[]`]), description: "OPC UA built-in type; [] for an array. Default: the server's data type." },
  samplingInterval: { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$', description: "Monitored item sampling interval. Default: the tag's poll, else the device's." },
  queueSize: { type: 'integer', minimum: 1, maximum: defaults.maxQueueSize, description: 'Values the server queues between publishes. Default: publishing interval ÷ sampling interval, plus one.' },
  maxStringBytes: { type: ['string', 'integer'], default: '64KiB', description: 'A longer string (or ByteString) is a bad reading naming the limit; up to 16MiB.' },
  maxArrayLength: { type: 'integer', minimum: 1, maximum: 1_000_000, default: 10_000, description: 'A longer array is a bad reading naming the limit.' },
  deadbandPercent: { type: 'number', exclusiveMinimum: 0, maximum: 100, description: "Server-side deadband as a percent of the variable's EURange (deadband: is the absolute one)." },
}
