import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startHttpServer } from '../../../gateway/http/server.js'
import type { GatewayStatus } from '../../../gateway/base/status.js'
import type { Log } from '../../../gateway/model/log.js'
import type { TagPage } from '../../../gateway/http/tag-values.js'

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet } } as unknown as Log

const status = (): GatewayStatus => ({
  node: { groupId: 'Plant1', edgeNodeId: 'Line3-GW', version: '1.2.3' },
  upstream: { connected: false, since: 1_700_000_000_000, server: 'mqtt://127.0.0.1:1', serverInUse: 'mqtt://127.0.0.1:1', born: false, primaryHostOnline: null, bdSeq: 3, reconnects: 0, published: 0, replayedMetrics: 0 },
  devices: { '<script>alert(1)</script>': { online: false, scans: 0, failedScans: 2, timeouts: 2, lastScanMs: 0, lastError: 'connection refused 127.0.0.1:1' } },
  buffer: { records: 5, bytes: 4096, oldestAt: Date.now() - 1000, dropped: 0, nextId: 6, replayRate: 12.5 },
  commands: { accepted: 0, refused: 0 },
  state: { dir: '/tmp', writable: true, bdseq: { path: 'bdseq', writable: true, error: null, writeErrors: 0, keptIn: null }, buffer: null },
  warnings: [{ at: 1_700_000_000_000, level: 'warn', message: 'device not answering error="connection refused 127.0.0.1:1"', device: '<script>alert(1)</script>', repeated: 1 }],
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

test('status page - /status carries the node ids and version, since when the upstream is in its state, device errors and the last warnings', async () => {
  await withServer(async (base) => {
    const body = (await (await fetch(`${base}/status`)).json()) as GatewayStatus
    assert.deepEqual(body.node, status().node)
    assert.equal(body.upstream.since, 1_700_000_000_000)
    assert.equal(body.devices['<script>alert(1)</script>']?.lastError, 'connection refused 127.0.0.1:1')
    assert.deepEqual(body.warnings, status().warnings)
  })
})

test('status page - /status and /metrics carry the same buffer replay rate', async () => {
  await withServer(async (base) => {
    const body = (await (await fetch(`${base}/status`)).json()) as GatewayStatus
    const metrics = await (await fetch(`${base}/metrics`)).text()
    const exported = /^sparkplug_gateway_buffer_replay_rate (\S+)$/m.exec(metrics)?.[1]
    assert.equal(body.buffer.replayRate, 12.5)
    assert.equal(Number(exported), body.buffer.replayRate)
  })
})

test('status page - a listener with http.auth answers 401 without the credentials and 200 with them', async () => {
  // Bound to every address (the rule is about the listener), reached through 127.0.0.1.
  const server = await startHttpServer({ host: '0.0.0.0', port: 0, auth: { kind: 'user', username: 'tech', file: 'pw', secret: 's3cret' } }, status, quiet)
  try {
    const base = `http://127.0.0.1:${server.port}`
    const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` })
    for (const path of ['/', '/page.js', '/status', '/metrics']) {
      const refused = await fetch(`${base}${path}`)
      assert.equal(refused.status, 401, path)
      assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic realm=/)
      assert.equal((await fetch(`${base}${path}`, { headers: basic('tech', 's3cre') })).status, 401, `${path} wrong password`)
      assert.equal((await fetch(`${base}${path}`, { headers: basic('tech', 's3cret') })).status, 200, path)
    }
  } finally {
    await server.close()
  }
  const token = await startHttpServer({ host: '0.0.0.0', port: 0, auth: { kind: 'token', file: 't', secret: 'abc' } }, status, quiet)
  try {
    const url = `http://127.0.0.1:${token.port}/metrics`
    assert.equal((await fetch(url)).status, 401)
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer abd' } })).status, 401)
    assert.equal((await fetch(url, { headers: { authorization: 'Bearer abc' } })).status, 200)
  } finally {
    await token.close()
  }
})

test('status page - /status/tags answers the last recorded values of one device, filtered and capped', async () => {
  const tags = Array.from({ length: 1000 }, (_, i) => `Pump ${i}`)
  const node = {
    declared: (device: string | null) => (device === 'Line<1>' ? new Map(tags.map((name) => [name, { name, type: 'Double', writable: false, tag: { units: 'bar' } }])) : undefined),
    lastMetric: (_d: string | null, name: string) => (name === 'Pump 7' ? { name, type: 'Double', value: null, at: 5 } : { name, type: 'Double', value: 1.5, at: 9 }),
  } as unknown as Parameters<typeof startHttpServer>[3]
  const server = await startHttpServer({ host: '127.0.0.1', port: 0 }, status, quiet, node)
  try {
    const base = `http://127.0.0.1:${server.port}/status/tags`
    const all = (await (await fetch(`${base}?device=${encodeURIComponent('Line<1>')}`)).json()) as TagPage
    assert.equal(all.matching, 1000)
    assert.equal(all.tags.length, 200, 'capped')
    assert.deepEqual(all.tags[0], { name: 'Pump 0', type: 'Double', value: '1.5', quality: 'good', units: 'bar', at: 9 })
    const seven = (await (await fetch(`${base}?device=${encodeURIComponent('Line<1>')}&filter=pump%207`)).json()) as TagPage
    assert.equal(seven.matching, 111, "Pump 7, 70-79, 700-799")
    assert.deepEqual(seven.tags[0], { name: 'Pump 7', type: 'Double', value: null, quality: 'bad', units: 'bar', at: 5 })
    assert.equal((await fetch(`${base}?device=nope`)).status, 404)
  } finally {
    await server.close()
  }
})
