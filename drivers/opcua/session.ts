/**
 * One OPC UA connection: PKI, secure channel, session with the configured user, the server's
 * operation limits, batched Read and Write. Loaded only by `open()` (it imports node-opcua).
 *
 * node-opcua's own reconnection is off (connectionStrategy.maxRetry 0): a lost channel or session
 * is reported once through `onLost`, and the poll loop closes and reopens the driver with its
 * backoff, so one place owns retries and a device that is gone shows as offline.
 */
import { readFile } from 'node:fs/promises'
import { OPCUACertificateManager } from 'node-opcua-certificate-manager'
import {
  AttributeIds, type ClientSession, type DataValue, MessageSecurityMode, OPCUAClient, SecurityPolicy,
  type UserIdentityInfo, UserTokenType, type WriteValueOptions, setErrorLogger, setWarningLogger,
} from 'node-opcua-client'
import type { Log } from '../../gateway/model/log.js'
import { DriverError } from '../driver.js'
import { defaults, type ResolvedOpcuaConfig } from './config.js'
import { describeStatus, toDriverError } from './errors.js'

/** Limits the server states in ServerCapabilities/OperationLimits (0 = none stated -> our default). */
export interface OperationLimits {
  readonly maxNodesPerRead: number
  readonly maxNodesPerWrite: number
  readonly maxMonitoredItemsPerCall: number
  readonly maxNodesPerBrowse: number
}

export interface OpcuaConnection {
  readonly session: ClientSession
  readonly limits: OperationLimits
  /** Reads the Value attribute of every node, in batches the server accepts. */
  read(nodeIds: readonly string[]): Promise<DataValue[]>
  /** Writes one Value; rejects with DriverError naming the status code when the server refuses. */
  write(nodeId: string, value: WriteValueOptions['value'], what: string): Promise<void>
  /** Called once when the channel or session is gone for good. */
  onLost(listener: (error: DriverError) => void): void
  close(): Promise<void>
}

const limitNodes = {
  maxNodesPerRead: 'ns=0;i=11705',
  maxNodesPerWrite: 'ns=0;i=11707',
  maxMonitoredItemsPerCall: 'ns=0;i=11714',
  maxNodesPerBrowse: 'ns=0;i=11710',
}

export async function connect(config: ResolvedOpcuaConfig, log: Log): Promise<OpcuaConnection> {
  stackLog = log
  const pki = new OPCUACertificateManager({
    rootFolder: config.pkiDir,
    automaticallyAcceptUnknownCertificate: config.trustServer,
    disableFileWatchers: true,
  })
  await pki.initialize().catch((err: unknown) => {
    throw new DriverError('connection', `cannot create the OPC UA PKI in ${config.pkiDir}: ${(err as Error).message}`, { cause: err })
  })
  if (config.trustServer && config.securityMode !== 'None') log.warn('trustServer is on: an unknown server certificate is accepted without the trust step')
  const client = OPCUAClient.create({
    applicationName: 'sparkplug-gateway',
    clientCertificateManager: pki,
    securityMode: MessageSecurityMode[config.securityMode],
    securityPolicy: SecurityPolicy[config.securityPolicy],
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
    // node-opcua closes a socket silent for this long; a quiet subscription speaks only every
    // maxKeepAliveCount publishing intervals and a polled session only at its keep-alive ping, so
    // the limit is theirs plus a request timeout. A stalled server is found by the subscription's
    // keep-alive allowance and the session keep-alive instead.
    transportTimeout: Math.max(sessionTimeoutMs(config), (defaults.maxKeepAliveCount + 1) * config.publishingIntervalMs) + config.timeoutMs,
    defaultTransactionTimeout: config.timeoutMs,
    requestedSessionTimeout: sessionTimeoutMs(config),
    keepSessionAlive: true,
  })
  const listeners: ((error: DriverError) => void)[] = []
  let lost: DriverError | null = null
  let closing = false
  const lose = (error: DriverError): void => {
    if (lost !== null || closing) return
    lost = error
    log.warn('OPC UA connection lost', { reason: error.message })
    for (const l of listeners) l(error)
  }
  // node-opcua logs some failures only through its own error events: without listeners they would crash the process.
  client.on('connection_lost', () => lose(new DriverError('connection', `connection to ${config.endpoint} lost`)))
  client.on('backoff', () => undefined)

  try {
    await client.connect(config.endpoint)
  } catch (err) {
    await client.disconnect().catch(() => undefined)
    await pki.dispose().catch(() => undefined)
    throw await explainConnectFailure(err, config, log)
  }
  let session: ClientSession
  try {
    session = await client.createSession(await identity(config))
  } catch (err) {
    await client.disconnect().catch(() => undefined)
    await pki.dispose().catch(() => undefined)
    const who = config.user.kind === 'username' ? `user '${config.user.username}'` : config.user.kind === 'certificate' ? `the user certificate ${config.user.certificate}` : 'anonymous access'
    throw toDriverError(err, `${config.endpoint}: the server refused ${who}`)
  }
  session.on('session_closed', () => lose(new DriverError('connection', 'the server closed the session')))
  session.on('keepalive_failure', () => lose(new DriverError('timeout', 'the session keep-alive got no answer')))

  const limits = await readLimits(session)
  const connection: OpcuaConnection = {
    session,
    limits,
    async read(nodeIds) {
      const out: DataValue[] = []
      for (let i = 0; i < nodeIds.length; i += limits.maxNodesPerRead) {
        const batch = nodeIds.slice(i, i + limits.maxNodesPerRead).map((nodeId) => ({ nodeId, attributeId: AttributeIds.Value }))
        out.push(...(await session.read(batch).catch((err: unknown) => {
          throw toDriverError(err, `read of ${batch.length} nodes`)
        })))
      }
      return out
    },
    async write(nodeId, value, what) {
      const status = await session.write({ nodeId, attributeId: AttributeIds.Value, value }).catch((err: unknown) => {
        throw toDriverError(err, what)
      })
      if (status.isNotGood()) throw new DriverError('rejected', `${what}: the server answered ${describeStatus(status)}`)
    },
    onLost(listener) {
      listeners.push(listener)
      if (lost !== null) listener(lost)
    },
    async close() {
      closing = true
      await session.close().catch(() => undefined)
      await client.disconnect().catch(() => undefined)
      await pki.dispose().catch(() => undefined)
    },
  }
  return connection
}

// node-opcua prints its own warnings and errors to the console (some while it loads), which would
// break our one-line log format; what matters reaches the user through our errors, the rest is
// kept at debug level in the log of the device that connected last.
let stackLog: Log | null = null
const sink = (...args: unknown[]): void => stackLog?.debug('node-opcua', { message: args.map(String).join(' ').slice(0, 500) })
setWarningLogger(sink)
setErrorLogger(sink)

async function identity(config: ResolvedOpcuaConfig): Promise<UserIdentityInfo> {
  const user = config.user
  if (user.kind === 'anonymous') return { type: UserTokenType.Anonymous }
  if (user.kind === 'username') {
    const password = await readSecret(user.passwordFile, 'passwordFile')
    return { type: UserTokenType.UserName, userName: user.username, password: password.trimEnd() }
  }
  const certificate = await readSecret(user.certificate, 'certificate')
  const privateKey = await readSecret(user.privateKey, 'privateKey')
  return { type: UserTokenType.Certificate, certificateData: pemToDer(certificate), privateKey }
}

async function readSecret(file: string, key: string): Promise<string> {
  try {
    return await readFile(file, 'latin1')
  } catch (err) {
    throw new DriverError('connection', `cannot read connection.user.${key} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { cause: err })
  }
}

/** A PEM certificate -> DER; a file that is DER already comes back as it is. */
function pemToDer(text: string): Buffer {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(text)
  return m ? Buffer.from(m[1].replace(/\s+/g, ''), 'base64') : Buffer.from(text, 'latin1')
}

async function readLimits(session: ClientSession): Promise<OperationLimits> {
  const names = Object.keys(limitNodes) as (keyof typeof limitNodes)[]
  const values = await session.read(names.map((n) => ({ nodeId: limitNodes[n], attributeId: AttributeIds.Value }))).catch(() => [])
  const limit = (i: number): number => {
    const v = values[i]?.statusCode.isGood() ? Number(values[i].value.value) : 0
    return v > 0 ? Math.min(v, defaults.maxPerCall) : defaults.maxPerCall
  }
  return { maxNodesPerRead: limit(0), maxNodesPerWrite: limit(1), maxMonitoredItemsPerCall: limit(2), maxNodesPerBrowse: limit(3) }
}

/** A refused server certificate becomes one line saying how to trust it; anything else maps as usual. */
async function explainConnectFailure(err: unknown, config: ResolvedOpcuaConfig, log: Log): Promise<DriverError> {
  const message = (err as Error | null)?.message ?? String(err)
  if (/BadCertificateUntrusted|BadCertificateChainIncomplete/.test(message)) {
    log.error(`the server certificate of ${config.endpoint} is not trusted (kept in ${config.pkiDir}/rejected); check it, then run: sparkplug-gateway trust ${config.endpoint}`)
    return new DriverError('connection', `${config.endpoint}: server certificate not trusted (${message})`, { cause: err })
  }
  return toDriverError(err, `connect to ${config.endpoint}`)
}

function sessionTimeoutMs(config: ResolvedOpcuaConfig): number {
  return Math.max(60_000, config.publishingIntervalMs * defaults.lifetimeCount)
}
