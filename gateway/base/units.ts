/** Durations and sizes as users write them: `250ms`, `5s`, `2m`, `1h`; `64KiB`, `512MiB`, `1GB`. */

const durationUnits: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

const sizeUnits: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12,
  KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40,
}

export const durationHint = 'expected a duration such as 500ms, 5s or 2m'
export const sizeHint = 'expected a size such as 64KiB, 512MiB or 1GiB (a bare number is bytes)'

/**
 * Milliseconds, or undefined when `value` is not a duration. A bare number is refused: whether
 * `5` meant seconds or milliseconds cannot be told, and guessing wrong is a 1000x error.
 * Parts may be combined as in `1m30s`.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined
  const text = value.trim()
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return undefined
  let total = 0
  for (const [, amount, unit] of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(amount) * durationUnits[unit]
  return Math.round(total)
}

/** Bytes, or undefined when `value` is not a size. A bare number (or numeric string) is bytes. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : undefined
  if (typeof value !== 'string') return undefined
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(value.trim())
  if (match === null) return undefined
  const factor = match[2] === '' ? 1 : sizeUnits[match[2]]
  return factor === undefined ? undefined : Math.round(Number(match[1]) * factor)
}

/** `90000` -> `1m30s`, for messages and the example file. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s'
  const parts: string[] = []
  let rest = ms
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  return parts.join('')
}
