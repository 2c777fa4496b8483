/**
 * A throwaway CA and certificates signed by it, made with openssl in a temp directory, for TLS
 * tests against real servers (the same commands mqtt-upstream-tls.test.ts runs).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const hasOpenssl = existsSync('/usr/bin/openssl')

export interface TestCa {
  /** The CA certificate (PEM) clients and servers trust. */
  readonly ca: string
  /** A certificate and key signed by the CA; `san` as openssl writes it: 'IP:127.0.0.1', 'DNS:localhost'. */
  issue(name: string, san: string): { readonly cert: string; readonly key: string }
  /** Removes the directory. */
  remove(): void
}

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'test-ca-'))
  const file = (name: string): string => join(dir, name)
  const openssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' })
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-ca', '-keyout', file('ca.key'), '-out', file('ca.pem'))
  return {
    ca: file('ca.pem'),
    issue(name, san) {
      writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\n`)
      openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`))
      openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.pem`))
      return { cert: file(`${name}.pem`), key: file(`${name}.key`) }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}
