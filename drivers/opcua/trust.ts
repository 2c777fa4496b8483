/**
 * Trusting a server certificate, the explicit step the security workflow asks for: fetch the
 * certificate the server presents (GetEndpoints needs no security), and move it into the
 * gateway's trusted/ folder (out of rejected/, where a refused connection left it).
 */
import { createHash, X509Certificate } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { OPCUACertificateManager } from 'node-opcua-certificate-manager'
import { OPCUAClient, setErrorLogger, setWarningLogger } from 'node-opcua-client'

// node-opcua's console notes (some printed while it loads) are noise for a one-shot command whose
// failures come back as errors.
setWarningLogger(() => undefined)
setErrorLogger(() => undefined)

export interface TrustedCertificate {
  readonly subject: string
  /** SHA-1 over the DER, as OPC UA tools show it. */
  readonly thumbprint: string
  /** The certificate was in rejected/: a connection attempt had refused it. */
  readonly wasRejected: boolean
}

export async function trustServerCertificate(endpoint: string, pkiDir: string, timeoutMs: number): Promise<TrustedCertificate> {
  const client = OPCUAClient.create({ endpointMustExist: false, connectionStrategy: { maxRetry: 0 }, transportTimeout: timeoutMs })
  let der: Buffer | undefined
  try {
    await client.connect(endpoint)
    const endpoints = await client.getEndpoints()
    der = endpoints.map((e) => e.serverCertificate).find((c) => c !== null && c !== undefined && c.length > 0)
  } finally {
    await client.disconnect().catch(() => undefined)
  }
  if (der === undefined) throw new Error(`${endpoint} presents no certificate (a server with securityMode None only needs no trust)`)
  const thumbprint = createHash('sha1').update(der).digest('hex')
  const pki = new OPCUACertificateManager({ rootFolder: pkiDir, disableFileWatchers: true })
  await pki.initialize()
  try {
    const rejected = await readdir(pki.rejectedFolder).catch(() => [] as string[])
    await pki.trustCertificate(der)
    return { subject: new X509Certificate(der).subject.replace(/\n/g, ', '), thumbprint, wasRejected: rejected.some((f) => f.includes(thumbprint)) }
  } finally {
    await pki.dispose()
  }
}
