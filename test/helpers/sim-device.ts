import type { WalkTag } from '../../drivers/simulator/types.js'

/** The Walk tag of simDevice({ walk: true }): far from its bounds for millions of steps. */
export const WALK: WalkTag = { name: 'Walk', signal: 'random-walk', type: 'Double', low: 0, high: 1e9, step: 1000, initial: 5e8 }

/** Simulator device files for gateway tests. */
/**
 * With `walk`, a Walk tag that takes one seeded random step per read: every reading the gateway
 * takes is a new value whose position in the sequence is known (see readingsOf), so a test can
 * count what was read against what arrived, however busy the machine.
 */
export function simDevice(deviceId: string, opts: { darkFile?: string; poll?: string; counterPeriod?: string; walk?: boolean } = {}): string {
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
    ...(opts.walk ? [`  - { name: ${WALK.name}, signal: random-walk, type: Double, low: ${WALK.low}, high: ${WALK.high}, step: ${WALK.step}, initial: ${WALK.initial} }`] : []),
  ].join('\n')
}
