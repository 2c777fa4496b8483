/** The building blocks the JSON Schemas of gateway.yaml and of device files are written with. */
import type { JsonSchema } from '../../drivers/driver.js'
import { formatDuration } from '../base/units.js'

export const draft = 'https://json-schema.org/draft/2020-12/schema'

export const duration = (description: string, defaultMs?: number): JsonSchema => ({
  type: 'string',
  pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h))+$',
  description: `${description} A duration: 250ms, 5s, 2m, 1h.`,
  ...(defaultMs === undefined ? {} : { default: formatDuration(defaultMs) }),
})

export const id = (description: string): JsonSchema => ({
  type: 'string',
  minLength: 1,
  pattern: '^[^/+#]+$',
  description: `${description} Becomes an MQTT topic level: no /, + or #.`,
})

export const object = (properties: Record<string, JsonSchema>, description: string, required: string[] = []): JsonSchema => ({
  type: 'object',
  description,
  additionalProperties: false,
  properties,
  ...(required.length === 0 ? {} : { required }),
})

export const text = (description: string): JsonSchema => ({ type: 'string', description })

export const choice = (values: readonly unknown[], fallback: unknown, description: string): JsonSchema => ({
  enum: values,
  default: fallback,
  description,
})


export const sizePattern = '^\\d+(\\.\\d+)?\\s*(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$'
