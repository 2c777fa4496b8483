import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { defaults } from './defaults.js'
import type { Fields, Section } from './fields.js'
import type { HttpConfig } from './types.js'

export const httpKeys = {
  http: ['listen', 'auth', 'tls'],
  httpAuth: ['username', 'passwordFile', 'tokenFile'],
  httpTls: ['certFile', 'keyFile'],
} as const

/** 127.0.0.0/8, ::1 and localhost: only a process on the box itself can reach such a listener. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}

/**
 * `http:`. A listener beyond loopback serves the plant network, so it needs `auth` (a user with a
 * password file, or a token file): no anonymous page or /status there, with or without `tls` (the
 * certificate and key to serve https with). The files are read by load.ts.
 */
export function parseHttp(f: Fields, root: Section | undefined, dir: string): HttpConfig | undefined {
  const h = f.section(root, 'http', httpKeys.http)
  const listen = f.string(h, 'listen') ?? defaults.http.listen
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(listen)
  if (match === null || Number(match[2]) > 65535) return f.error(['http', 'listen'], 'expected host:port, such as 127.0.0.1:9780 or [::1]:9780')
  const host = match[1].replace(/^\[|\]$/g, '')
  const a = f.section(h, 'auth', httpKeys.httpAuth)
  const username = f.string(a, 'username')
  const passwordFile = f.string(a, 'passwordFile')
  const tokenFile = f.string(a, 'tokenFile')
  const expected = 'give either username with passwordFile, or tokenFile'
  if (a !== undefined && (tokenFile === undefined) === (passwordFile === undefined)) return f.error(['http', 'auth'], expected)
  if (a !== undefined && (username === undefined) !== (passwordFile === undefined)) return f.error(['http', 'auth'], expected)
  const auth: HttpConfig['auth'] =
    tokenFile !== undefined ? { kind: 'token', file: resolve(dir, tokenFile) }
    : passwordFile !== undefined && username !== undefined ? { kind: 'user', username, file: resolve(dir, passwordFile) }
    : undefined
  const t = f.section(h, 'tls', httpKeys.httpTls)
  const certFile = f.string(t, 'certFile')
  const keyFile = f.string(t, 'keyFile')
  if (t !== undefined && (certFile === undefined || keyFile === undefined)) return f.error(['http', 'tls'], 'give certFile and keyFile (PEM files: the certificate, and its private key)')
  const tls = certFile !== undefined && keyFile !== undefined ? { certFile: resolve(dir, certFile), keyFile: resolve(dir, keyFile) } : undefined
  if (auth === undefined && !isLoopback(host)) {
    return f.error(['http', 'listen'], `${host} is reachable from the network: set http.auth (username with passwordFile, or tokenFile), or listen on 127.0.0.1`)
  }
  return { host, port: Number(match[2]), ...(auth === undefined ? {} : { auth }), ...(tls === undefined ? {} : { tls }) }
}
