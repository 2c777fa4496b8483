import { get } from 'node:https'

/** GET `url` over TLS trusting only `ca` (a PEM text); the status and body, or the TLS/socket error. */
export function httpsGet(url: string, ca: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { ca, headers, timeout: timeoutMs }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
      response.on('error', reject)
    })
    request.on('timeout', () => request.destroy(new Error(`${url}: no answer within ${timeoutMs} ms`)))
    request.on('error', reject)
  })
}
