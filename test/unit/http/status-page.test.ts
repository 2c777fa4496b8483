import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startHttpServer } from '../../../gateway/http/server.js'
import type { GatewayStatus } from '../../../gateway/base/status.js'
import type { Log } from '../../../gateway/model/log.js'

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet } } as unknown as Log

const status = (): GatewayStatus => ({
  upstream: { connected: false, server: 'mqtt://127.0.0.1:1', born: false, primaryHostOnline: null, bdSeq: 3, reconnects: 0, published: 0, replayedMetrics: 0 },
  devices: { '<script>alert(1)</script>': { online: false, scans: 0, failedScans: 2, timeouts: 2, lastScanMs: 0 } },
  buffer: { records: 5, bytes: 4096, oldestAt: Date.now() - 1000, dropped: 0, nextId: 6 },
  commands: { accepted: 0, refused: 0 },
  state: { dir: '/tmp', writable: true, bdseq: { path: 'bdseq', writable: true, error: null, writeErrors: 0, keptIn: null }, buffer: null },
})

async function withServer(run: (base: string) => Promise<void>): Promise<void> {
  const server = await startHttpServer({ host: '127.0.0.1', port: 0 }, status, quiet)
  try {
    await run(`http://127.0.0.1:${server.port}`)
  } finally {
    await server.close()
  }
}

test('status page - GET / answers one HTML page whose script and styles are files of the same listener', async () => {
  await withServer(async (base) => {
    const page = await fetch(`${base}/`)
    assert.equal(page.status, 200)
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    const html = await page.text()
    assert.match(html, /<script src="\/page\.js"/)
    assert.match(html, /<link rel="stylesheet" href="\/page\.css"/)
    assert.doesNotMatch(html, /<script>|<script [^>]*>[^<]/, 'no inline script')
    assert.doesNotMatch(html, /https?:\/\//, 'no external assets')
    const script = await fetch(`${base}/page.js`)
    assert.equal(script.status, 200)
    assert.match(script.headers.get('content-type') ?? '', /^text\/javascript/)
    const styles = await fetch(`${base}/page.css`)
    assert.equal(styles.status, 200)
    assert.match(styles.headers.get('content-type') ?? '', /^text\/css/)
    const bytes = html.length + (await script.text()).length + (await styles.text()).length
    assert.ok(bytes < 100_000, `page with script and styles is ${bytes} bytes`)
  })
})

test('status page - every answer carries a Content-Security-Policy without inline script or eval', async () => {
  await withServer(async (base) => {
    for (const path of ['/', '/page.js', '/status', '/metrics']) {
      const csp = (await fetch(`${base}${path}`)).headers.get('content-security-policy') ?? ''
      assert.match(csp, /default-src 'none'/, path)
      assert.match(csp, /script-src 'self'/, path)
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path)
    }
  })
})

test('status page - the script builds the page with textContent, never innerHTML', async () => {
  await withServer(async (base) => {
    const script = await (await fetch(`${base}/page.js`)).text()
    assert.doesNotMatch(script, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/)
    assert.match(script, /textContent/)
  })
})
