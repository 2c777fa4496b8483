import { createSecureContext } from 'node:tls'
import type { Collector, LocatedError, Locator } from './located.js'
import { readableByOthers, readConfigText, reason } from './read-file.js'
import type { HttpTls } from './types.js'

/**
 * Reads `http.tls`'s certificate and key and checks them the way the listener will use them
 * (a TLS context built from them), so a wrong file stops the load at its line rather than the
 * listener at start. Undefined after an error, added to `errors`.
 */
export async function readHttpTls(tls: HttpTls, locate: Locator, errors: Collector, warnings: LocatedError[]): Promise<HttpTls | undefined> {
  const at = (key: 'certFile' | 'keyFile') => ({ ...locate(['http', 'tls', key]), path: `http.tls.${key}` })
  const read = (key: 'certFile' | 'keyFile', file: string) =>
    readConfigText(file, 'tls').catch((cause: unknown) => {
      errors.add({ ...at(key), message: `cannot read ${file}: ${reason(cause)}` })
      return undefined
    })
  const cert = await read('certFile', tls.certFile)
  const key = await read('keyFile', tls.keyFile)
  if (cert === undefined || key === undefined) return undefined
  const refused = (options: { cert?: string; key?: string }): string | undefined => {
    try {
      createSecureContext(options)
      return undefined
    } catch (error) {
      return (error as Error).message
    }
  }
  const badCert = refused({ cert })
  if (badCert !== undefined || !cert.includes('-----BEGIN CERTIFICATE-----')) {
    errors.add({ ...at('certFile'), message: `${tls.certFile} is not a PEM certificate (-----BEGIN CERTIFICATE-----): ${badCert ?? 'no certificate in it'}` })
    return undefined
  }
  const badKey = refused({ key })
  if (badKey !== undefined) {
    errors.add({ ...at('keyFile'), message: `${tls.keyFile} is not a PEM private key without a passphrase (-----BEGIN PRIVATE KEY-----): ${badKey}` })
    return undefined
  }
  const mismatch = refused({ cert, key })
  if (mismatch !== undefined) {
    errors.add({ ...at('keyFile'), message: `${tls.keyFile} is not the private key of ${tls.certFile}: ${mismatch}` })
    return undefined
  }
  const mode = await readableByOthers(tls.keyFile)
  if (mode !== undefined) warnings.push({ ...at('keyFile'), message: `private key ${tls.keyFile} can be read by its group or others (mode ${mode}); run chmod 600 ${tls.keyFile}` })
  return { ...tls, cert, key }
}
