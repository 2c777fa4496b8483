import type { GatewayProcess } from './gateway-process.js'

/** The base URL of the gateway's HTTP listener, from its `http listening url=...` log line. */
export async function httpUrlOf(gateway: GatewayProcess, timeoutMs: number): Promise<string> {
  const line = await gateway.waitForLine(/http listening/, timeoutMs)
  const url = /url=(\S+)/.exec(line)?.[1]
  if (url === undefined) throw new Error(`no url in the log line: ${line}`)
  return url
}

/** GET /metrics: metric name (with its labels, if any) -> value. */
export async function scrapeMetrics(baseUrl: string): Promise<Map<string, number>> {
  const response = await fetch(`${baseUrl}/metrics`)
  if (!response.ok) throw new Error(`GET ${baseUrl}/metrics answered ${response.status}`)
  const out = new Map<string, number>()
  for (const line of (await response.text()).split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const space = line.lastIndexOf(' ')
    out.set(line.slice(0, space), Number(line.slice(space + 1)))
  }
  return out
}

/** Scrapes /metrics every 100 ms until `name` satisfies `done`; returns that scrape. Rejects after `timeoutMs`. */
export async function waitForMetric(baseUrl: string, name: string, done: (value: number) => boolean, timeoutMs: number): Promise<Map<string, number>> {
  const deadline = Date.now() + timeoutMs
  let last: number | undefined
  for (;;) {
    const metrics = await scrapeMetrics(baseUrl)
    last = metrics.get(name)
    if (last !== undefined && done(last)) return metrics
    if (Date.now() > deadline) throw new Error(`${name} did not reach the expected value within ${timeoutMs} ms (last ${last})`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
