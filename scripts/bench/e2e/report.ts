/** Number formats and the Markdown table row of a steady-state measurement, shared by the end-to-end benches. */
import type { SteadyResult } from './steady-run.js'

export const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-')
export const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(0)

export function row(label: string, r: SteadyResult): string {
  const cells = [
    label, fmt(r.load.tags), `${r.load.pollMs} ms`, r.load.buffer, fmt(r.offered), fmt(r.metricsPerS), fmt(r.messagesPerS),
    fmt(r.bytesPerS / 1024), (r.cpu * 100).toFixed(0), mb(r.rssMax), mb(r.rssEnd), `${fmt(r.lagP50)} / ${fmt(r.lagP99)}`,
    `${r.brokerCpu.toFixed(2)} / ${r.subscriberCpu.toFixed(2)} / ${r.otherCpu.toFixed(2)}`,
  ]
  return `| ${cells.join(' | ')} |`
}

export const header = [
  '| run | tags | poll | buffer | offered updates/s | delivered updates/s | msgs/s | KiB/s | gateway CPU % of a core | RSS max MB | RSS end MB | lag p50 / p99 ms | broker / subscriber / other cores |',
  '|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
]
