import { checkServerIdentity, type ConnectionOptions as ConnectionOptionsTls, type PeerCertificate } from 'node:tls'
import { credsAuthenticator, nkeyAuthenticator, type ConnectionOptions } from 'nats'
import { readConfigFile } from '../config/read-file.js'
import type { NatsConfig } from '../config/types.js'
import { UpstreamError } from './upstream.js'

/**
 * nats.js options for one session to `url`: no reconnect of its own (the pump reconnects, with
 * births and a new bdSeq), no server list learned from the cluster (failover follows
 * `upstream.nats.servers`), PINGs every keepalive, and the one way of authenticating configured.
 */
export async function natsOptions(config: NatsConfig, url: string): Promise<ConnectionOptions> {
  const options: ConnectionOptions = {
    servers: url,
    name: config.name,
    reconnect: false,
    noRandomize: true,
    ignoreClusterUpdates: true,
    timeout: config.connectTimeoutMs,
    pingInterval: config.keepaliveMs,
    maxPingOut: 2,
    ...auth(config.auth),
  }
  if (config.tls !== undefined || url.startsWith('tls://')) options.tls = await tlsOptions(config, url)
  return options
}

function auth(credentials: NatsConfig['auth']): Partial<ConnectionOptions> {
  if (credentials === undefined) return {}
  switch (credentials.kind) {
    case 'token':
      return { token: credentials.token }
    case 'user':
      return { user: credentials.username, pass: credentials.password }
    case 'nkey':
      return { authenticator: nkeyAuthenticator(new TextEncoder().encode(credentials.seed)) }
    case 'credentials':
      return { authenticator: credsAuthenticator(new TextEncoder().encode(credentials.credentials)) }
  }
}

type TlsOptions = NonNullable<ConnectionOptions['tls']> & Pick<ConnectionOptionsTls, 'checkServerIdentity'>

async function tlsOptions(config: NatsConfig, url: string): Promise<TlsOptions> {
  const tls = config.tls ?? { verifyHostname: true }
  const read = async (key: 'ca' | 'cert' | 'key'): Promise<string | undefined> => {
    const file = tls[key]
    if (file === undefined) return undefined
    try {
      return (await readConfigFile(file, 'tls')).toString('utf8')
    } catch (error) {
      throw new UpstreamError('tls', `cannot read upstream.nats.tls.${key} ${file} for ${url}: ${(error as Error).message}`)
    }
  }
  const [ca, cert, key] = await Promise.all([read('ca'), read('cert'), read('key')])
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    // nats.js hands unknown fields to tls.connect, which is where hostname checking lives; it
    // would check an IP address URL against "localhost", so the URL's own host is checked here.
    checkServerIdentity: tls.verifyHostname ? (_host: string, cert: PeerCertificate) => checkServerIdentity(new URL(url).hostname, cert) : () => undefined,
  }
}

/** A nats.js failure as an UpstreamError whose message a user can act on. */
export function natsError(error: unknown, url: string, auth: NatsConfig['auth']): UpstreamError {
  if (error instanceof UpstreamError) return error
  const err = error as Error & { code?: string }
  const code = err.code ?? ''
  const text = err.message ?? String(error)
  if (code === 'AUTHORIZATION_VIOLATION' || code === 'BAD_AUTHENTICATION' || code === 'BAD_CREDS' || code === 'AUTHENTICATION_EXPIRED' || code === 'ACCOUNT_EXPIRED' || /authorization|authentication/i.test(text)) {
    const how = auth === undefined ? 'no credentials (add upstream.nats.auth)' : describeAuth(auth)
    return new UpstreamError('refused', `NATS server ${url} refused the connection with ${how}: ${text}`, { cause: error })
  }
  if (code === 'CONNECTION_REFUSED' || /ECONNREFUSED|EHOSTUNREACH|ENOTFOUND|ENETUNREACH/.test(text)) {
    return new UpstreamError('unreachable', `NATS server ${url} is unreachable: ${text}`, { cause: error })
  }
  if (code === 'TIMEOUT' || code === 'CONNECTION_TIMEOUT') return new UpstreamError('timeout', `NATS server ${url} did not answer in time: ${text}`, { cause: error })
  if (code === 'TLS' || /certificate|tls|ssl/i.test(text)) return new UpstreamError('tls', `TLS with NATS server ${url} failed: ${text}`, { cause: error })
  return new UpstreamError('closed', `NATS session to ${url}: ${text}`, { cause: error })
}

function describeAuth(auth: NonNullable<NatsConfig['auth']>): string {
  switch (auth.kind) {
    case 'token':
      return 'the token of upstream.nats.auth.tokenFile'
    case 'user':
      return `user ${auth.username}`
    case 'nkey':
      return `the NKey seed in ${auth.seedFile}`
    case 'credentials':
      return `the credentials in ${auth.credentialsFile}`
  }
}
