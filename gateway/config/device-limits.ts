/**
 * Bounds on what device files may ask of the gateway's memory, checked while the files are read:
 * the memory parsing a file takes (checked before it is parsed) and the tags a device declares.
 */

/**
 * Heap bytes parsing takes per byte of the file, measured with this gateway's parsers on tag
 * exports (one tag a line): YAML keeps a node with its position for every key and value.
 */
const parseCostPerByte = { yaml: 100, csv: 75 } as const

/** The most one file's parse may take; the loader (a worker thread) is capped a little above it. */
export const PARSE_MEMORY_BUDGET_BYTES = 160 * 2 ** 20

/** Why a file of `bytes` is not parsed, or undefined when its parse fits the budget. */
export function parseMemoryRefusal(bytes: number, format: keyof typeof parseCostPerByte): string | undefined {
  const estimate = bytes * parseCostPerByte[format]
  if (estimate <= PARSE_MEMORY_BUDGET_BYTES) return undefined
  const mb = (n: number) => `${Math.round(n / 2 ** 20)} MiB`
  const instead = format === 'yaml' ? 'write the tags as a CSV tag list (tags: file.csv), which takes about a quarter of the memory per tag, or split the device' : 'split the device into several devices'
  return `parsing this ${(bytes / 2 ** 20).toFixed(1)} MiB file would take about ${mb(estimate)} of memory, over the ${mb(PARSE_MEMORY_BUDGET_BYTES)} a configuration file may use; ${instead}`
}

/** Why `count` tags are refused, or undefined within the limit. */
export function tagCountRefusal(count: number, limit: number): string | undefined {
  if (count <= limit) return undefined
  return `${count} tags, over the limit of ${limit} per device (limits.tagsPerDevice in gateway.yaml)`
}
