import { UndeliverableError, UpstreamError } from './upstream.js'

const unreachableCodes = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EADDRNOTAVAIL',
])

// Node/OpenSSL certificate verification codes, in words a user can act on.
const certificateProblems: Record<string, string> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate does not name this host (set tls.verifyHostname: false only if you must)',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed and not in the configured CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'the certificate chain ends in a CA that is not trusted (set tls.ca)',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is not signed by a trusted CA (set tls.ca)',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate issuer is not in the trusted CA (set tls.ca)',
  UNABLE_TO_GET_ISSUER_CERT: 'the certificate issuer is not in the trusted CA (set tls.ca)',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not yet valid (check the clock)',
  CERT_REVOKED: 'the certificate was revoked',
  CERT_SIGNATURE_FAILURE: 'the certificate signature is invalid',
}

// CONNACK return codes (3.1.1) and reason codes (5) that mean "your credentials".
const credentialCodes: Record<number, string> = {
  4: 'bad username or password',
  5: 'not authorized',
  134: 'bad username or password',
  135: 'not authorized',
  138: 'banned',
}

/** `url` without a `user:password@` part, for messages: a password written in a URL is never shown. */
export function withoutLogin(url: string): string {
  if (!URL.canParse(url)) return url
  const parsed = new URL(url)
  if (parsed.username === '' && parsed.password === '') return url
  parsed.username = ''
  parsed.password = ''
  return parsed.href
}

function codeOf(err: Error): string | number | undefined {
  const code = (err as { code?: unknown }).code
  return typeof code === 'string' || typeof code === 'number' ? code : undefined
}

/** The reason code carried by an mqtt.js ErrorWithReasonCode (CONNACK/DISCONNECT), if any. */
export function reasonCodeOf(err: Error): number | undefined {
  const code = codeOf(err)
  return typeof code === 'number' ? code : undefined
}

/**
 * Turns an error seen while connecting to `url` into an UpstreamError whose kind the pump acts
 * on and whose message says what to check.
 */
export function toUpstreamError(err: Error, url: string): UpstreamError {
  if (err instanceof UpstreamError) return err
  const code = codeOf(err)
  if (typeof code === 'number') {
    const words = credentialCodes[code]
    const message = words
      ? `MQTT broker ${url} refused the connection: ${words}; check upstream.mqtt.username and passwordFile, or the user:password written in the server URL`
      : `MQTT broker ${url} refused the connection: ${err.message} (reason code ${code})`
    return new UpstreamError('refused', message, { cause: err })
  }
  if (code !== undefined && unreachableCodes.has(code)) {
    return new UpstreamError('unreachable', `MQTT broker ${url} is unreachable: ${code}`, { cause: err })
  }
  if (code !== undefined && (code in certificateProblems || code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))) {
    const words = certificateProblems[code] ?? err.message
    return new UpstreamError('tls', `TLS to MQTT broker ${url} failed: ${words} (${code})`, { cause: err })
  }
  if (err.message === 'TLS not authorized') {
    return new UpstreamError('tls', `TLS to MQTT broker ${url} failed: the server certificate is not trusted`, { cause: err })
  }
  if (err.message === 'connack timeout') {
    return new UpstreamError('timeout', `MQTT broker ${url} did not answer CONNECT in time (connectTimeout)`, { cause: err })
  }
  return new UpstreamError('closed', `connection to MQTT broker ${url} failed: ${err.message}`, { cause: err })
}

/** MQTT 5 PUBACK reason codes that refuse these bytes for good, with what a user can change. */
const undeliverableCodes: Readonly<Record<number, string>> = {
  0x87: "not authorized: allow the gateway's user to publish on this topic in the broker's ACL",
  0x90: 'topic name invalid: the broker does not accept this topic',
  0x95: "packet too large: raise the broker's limit (mosquitto: message_size_limit, max_packet_size), or make the tag's value smaller",
  0x99: 'payload format invalid: the broker rejects Sparkplug B bytes on this topic',
}

/**
 * A PUBACK that carries an error reason: for good (UndeliverableError: the same bytes are refused
 * again) or for now (`refused`: quota exceeded, an unspecified or implementation-specific error).
 */
export function publishRefusal(err: Error, code: number, url: string, topic: string, bytes: number): UpstreamError {
  const hex = `0x${code.toString(16).padStart(2, '0')}`
  const never = undeliverableCodes[code]
  if (never !== undefined) {
    return new UndeliverableError(`MQTT reason code ${hex}`, `MQTT broker ${url} refused the publish to ${topic} of ${bytes} bytes with reason code ${hex}, ${never}`, { cause: err })
  }
  return new UpstreamError('refused', `MQTT broker ${url} rejected the publish to ${topic}: ${err.message}`, { cause: err })
}
