/**
 * The `simulator` driver: generated signals and writable setpoints, for the demo and for tests
 * that need a device without a field bus.
 */
import type { DriverModule, JsonSchema } from '../driver.js'
import { parseSimulatorConfig, signalKeys, signalTypes, simulatorDefaults } from './config.js'
import type { SimulatorConfig } from './types.js'
import { createSimulatorDriver } from './simulator-driver.js'

export type { SimulatorConfig } from './types.js'
export { createSimulatorDriver } from './simulator-driver.js'

const duration: JsonSchema = { type: 'string', pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$' }
const number: JsonSchema = { type: ['number', 'string'] }
const allTypes = [...new Set(Object.values(signalTypes).flat())]

const connection: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    darkFile: {
      type: 'string',
      description: 'While this file exists the device does not answer (open and read time out); remove it to bring the device back.',
    },
    latency: { ...duration, default: `${simulatorDefaults.latencyMs}ms`, description: 'Delay added to every read, e.g. 50ms.' },
    push: { ...duration, description: 'Push every tag this often (like an OPC UA subscription) instead of being polled, e.g. 100ms.' },
  },
}

const tagProperties: Readonly<Record<string, JsonSchema>> = {
  signal: {
    enum: Object.keys(signalKeys),
    description:
      'What the tag produces: counter (+1 every period), ramp (low to high over a period), sine, random-walk ' +
      '(one step per read), boolean (toggles every period), string (cycles through values), setpoint (holds the last write).',
  },
  type: {
    enum: allTypes,
    description: 'SparkplugType of the raw value. Defaults: counter Int32, boolean Boolean, string String, others Double.',
  },
  period: { ...duration, description: 'Time per count, toggle, value, ramp or sine cycle, e.g. 1s or 30s.' },
  low: { ...number, default: simulatorDefaults.low, description: 'Lowest value of a ramp, sine or random-walk.' },
  high: { ...number, default: simulatorDefaults.high, description: 'Highest value of a ramp, sine or random-walk.' },
  step: { ...number, description: 'Largest change per read of a random-walk; default 1% of high - low.' },
  values: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'The strings a string signal cycles through.' },
  initial: {
    type: ['number', 'string', 'boolean'],
    description: 'Value of a setpoint before the first write (default 0, false or empty), or where a random-walk starts (default midway).',
  },
}

/** The simulator's DriverModule, listed in drivers/registry.ts. */
export const simulatorModule: DriverModule<SimulatorConfig> = {
  kinds: ['simulator'],
  schema: { connection, tagProperties },
  parse: parseSimulatorConfig,
  create: (config, log) => createSimulatorDriver(config, log),
}
