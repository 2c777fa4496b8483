import type { GatewayStatus } from '../base/status.js'

type Sample = readonly [labels: Readonly<Record<string, string>>, value: number]

/** Label values escape backslash, double quote and line feed, as the exposition format defines. */
const labelValue = (v: string): string => v.replace(/[\\"]/g, '\\$&').replace(/\n/g, '\\n')

/** Prometheus text exposition (format 0.0.4) of the gateway's status. */
export function prometheusText(status: GatewayStatus, now = Date.now()): string {
  const out: string[] = []
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: readonly Sample[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`)
    for (const [labels, value] of samples) {
      const text = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`).join(',')
      out.push(`${name}${text === '' ? '' : `{${text}}`} ${value}`)
    }
  }
  const up = status.upstream
  metric('sparkplug_gateway_upstream_connected', 'gauge', 'Whether a session to a broker is up.', [[{ server: up.server ?? '' }, up.connected ? 1 : 0]])
  metric('sparkplug_gateway_upstream_born', 'gauge', 'Whether births went out in the current session.', [[{}, up.born ? 1 : 0]])
  if (up.primaryHostOnline !== null) metric('sparkplug_gateway_primary_host_online', 'gauge', 'Primary host STATE on the current server.', [[{}, up.primaryHostOnline ? 1 : 0]])
  metric('sparkplug_gateway_upstream_connects_total', 'counter', 'Sessions established since start.', [[{}, up.reconnects]])
  metric('sparkplug_gateway_messages_published_total', 'counter', 'Sparkplug messages published since start.', [[{}, up.published]])
  metric('sparkplug_gateway_replayed_metrics_total', 'counter', 'Metrics sent as history from the buffer.', [[{}, up.replayedMetrics]])
  metric('sparkplug_gateway_bdseq', 'gauge', 'bdSeq the next CONNECT will use.', [[{}, up.bdSeq]])

  const b = status.buffer
  metric('sparkplug_gateway_buffer_records', 'gauge', 'Records waiting in the buffer.', [[{}, b.records]])
  metric('sparkplug_gateway_buffer_bytes', 'gauge', 'Size of the buffer on disk.', [[{}, b.bytes]])
  metric('sparkplug_gateway_buffer_oldest_age_seconds', 'gauge', 'Age of the oldest buffered record.', [[{}, b.oldestAt === null ? 0 : (now - b.oldestAt) / 1000]])
  metric('sparkplug_gateway_buffer_replay_rate', 'gauge', 'Metrics replayed from the buffer per second over the last 30 s.', [[{}, b.replayRate]])
  metric('sparkplug_gateway_buffer_dropped_total', 'counter', 'Records dropped: the buffer was full or unwritable, nothing in them was declared any more (tags removed by a reload), or the server refused them for good.', [[{}, b.dropped]])

  const state = status.state
  const files: Sample[] = [[{ file: 'bdseq' }, state.bdseq.writable ? 1 : 0]]
  if (state.buffer !== null) files.push([{ file: 'buffer' }, state.buffer.writable ? 1 : 0])
  metric('sparkplug_gateway_state_writable', 'gauge', 'Whether the state file took its last write (0: disk full, read-only or broken; live data keeps flowing).', files)
  metric('sparkplug_gateway_state_write_errors_total', 'counter', 'Failed writes of the bdseq file since start.', [[{ file: 'bdseq' }, state.bdseq.writeErrors]])

  const devices = Object.entries(status.devices)
  const per = (pick: (d: (typeof devices)[number][1]) => number): Sample[] => devices.map(([device, d]) => [{ device }, pick(d)])
  metric('sparkplug_gateway_device_online', 'gauge', 'Whether the device is born (online).', per((d) => (d.online ? 1 : 0)))
  metric('sparkplug_gateway_device_scans_total', 'counter', 'Successful scans.', per((d) => d.scans))
  metric('sparkplug_gateway_device_failed_scans_total', 'counter', 'Scans that failed (timeout, disconnect, ...).', per((d) => d.failedScans))
  metric('sparkplug_gateway_device_timeouts_total', 'counter', 'Scans that timed out.', per((d) => d.timeouts))
  metric('sparkplug_gateway_device_scan_seconds', 'gauge', 'Duration of the last scan.', per((d) => d.lastScanMs / 1000))

  metric('sparkplug_gateway_commands_total', 'counter', 'NCMD/DCMD metrics by result.', [
    [{ result: 'accepted' }, status.commands.accepted],
    [{ result: 'refused' }, status.commands.refused],
  ])
  return `${out.join('\n')}\n`
}
