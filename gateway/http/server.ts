import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createTlsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import type { HttpConfig } from '../config/types.js'
import type { GatewayStatus } from '../base/status.js'
import type { Log } from '../model/log.js'
import { prometheusText } from './prometheus.js'
import { authorizer } from './auth.js'
import { loadPageFiles, SECURITY_HEADERS } from './page-files.js'
import { MAX_TAG_ROWS, tagPage } from './tag-values.js'
import type { NodeView } from '../node/node-state.js'

/**
 * The local status listener: `/` (the status page for a person at the box), `/metrics`
 * (Prometheus), `/healthz` (200 while the pipeline runs), `/status` (JSON). Read-only: nothing
 * here changes the gateway. With `tls` the same answers go over https, credentials still required.
 */
export async function startHttpServer(config: HttpConfig, status: () => GatewayStatus, log: Log, node?: NodeView): Promise<{ port: number; close(): Promise<void> }> {
  const page = loadPageFiles((file, error) => log.error('status page file missing', { file, error }))
  const authorized = authorizer(config.auth)
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    // Only the path and query count; a request line that is no URL at all gets the 404.
    const url = URL.canParse(req.url ?? '/', 'http://gateway') ? new URL(req.url ?? '/', 'http://gateway') : new URL('http://gateway/invalid')
    const path = url.pathname
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value)
    const file = page.get(path)
    if (!authorized(req)) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="sparkplug-gateway", charset="UTF-8"', 'content-type': 'text/plain' }).end('credentials required (http.auth)\n')
    } else if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end()
    } else if (file !== undefined) {
      res.writeHead(200, { 'content-type': file.type }).end(file.body)
    } else if (path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(prometheusText(status()))
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n')
    } else if (path === '/status/tags' && node !== undefined) {
      const limit = Math.min(MAX_TAG_ROWS, Math.max(1, Number(url.searchParams.get('limit')) || MAX_TAG_ROWS))
      const found = tagPage(node, url.searchParams.get('device') ?? '', (url.searchParams.get('filter') ?? '').slice(0, 200), limit)
      if (found === null) res.writeHead(404, { 'content-type': 'text/plain' }).end('no such device: give ?device=<device id> as /status lists it\n')
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(found))
    } else if (path === '/status') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status(), (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2))
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /, /metrics, /healthz or /status\n')
    }
  }
  // Nothing here reads a body; 8 KiB of headers is plenty for a GET with credentials.
  const tls = config.tls
  const server: Server = tls === undefined ? createServer({ maxHeaderSize: 8192 }, answer) : createTlsServer({ maxHeaderSize: 8192, cert: tls.cert, key: tls.key }, answer)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(config.port, config.host, () => resolve())
  })
  // A failed listener must not take the gateway down: it keeps buffering and publishing without it.
  server.on('error', (error) => log.error('http listener failed', { error: error.message }))
  const port = (server.address() as AddressInfo).port
  log.info('http listening', { url: `${tls === undefined ? 'http' : 'https'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}` })
  return {
    port,
    // Once close() runs, Node no longer enforces headersTimeout: a client that trickles header lines
    // (or reads a response slowly) would hold the stop, and the deaths behind it, for minutes. A
    // scrape cut by a stop is retried by the scraper; every connection goes at once.
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
