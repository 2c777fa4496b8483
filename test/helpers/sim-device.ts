/** Simulator device files for gateway tests. */
export function simDevice(deviceId: string, opts: { darkFile?: string; poll?: string; counterPeriod?: string } = {}): string {
  return [
    `device: ${deviceId}`,
    'driver: simulator',
    ...(opts.darkFile ? [`connection: { darkFile: ${opts.darkFile} }`] : []),
    `poll: ${opts.poll ?? '100ms'}`,
    'offlineAfter: 2',
    'tags:',
    `  - { name: Counter, signal: counter, period: ${opts.counterPeriod ?? '200ms'} }`,
    '  - { name: Setpoint, signal: setpoint, type: Double, initial: 20, writable: true, min: 0, max: 100, units: degC }',
    '  - { name: Mode, signal: setpoint, type: String, initial: auto, writable: true, allowed: [auto, manual] }',
    '  - { name: Flag, signal: boolean, period: 1h }',
  ].join('\n')
}
