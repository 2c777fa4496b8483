/**
 * The units `convert(x, "from", "to")` knows: per unit its quantity and how it maps to that
 * quantity's base unit (base = value * factor + offset). US gallons; psi is pound-force per inch².
 */
interface Unit {
  readonly quantity: string
  readonly factor: number
  readonly offset?: number
}

/** Per quantity, each unit's factor, or [factor, offset]. */
const quantities: Readonly<Record<string, Readonly<Record<string, number | readonly [number, number]>>>> = {
  temperature: { degC: 1, degF: [5 / 9, -160 / 9], K: [1, -273.15] },
  pressure: { Pa: 1, kPa: 1e3, MPa: 1e6, mbar: 100, bar: 1e5, psi: 6894.757293168361 },
  flow: { 'm3/s': 1, 'm3/h': 1 / 3600, 'l/s': 1e-3, 'l/min': 1e-3 / 60, 'l/h': 1e-3 / 3600, gpm: 3.785411784e-3 / 60 },
  volume: { m3: 1, l: 1e-3, gal: 3.785411784e-3 },
  power: { W: 1, kW: 1e3, MW: 1e6, hp: 745.6998715822702 },
  energy: { J: 1, kJ: 1e3, MJ: 1e6, Wh: 3600, kWh: 3.6e6, MWh: 3.6e9 },
  length: { mm: 1e-3, cm: 1e-2, m: 1, km: 1e3, in: 0.0254, ft: 0.3048 },
  mass: { g: 1e-3, kg: 1, t: 1e3, lb: 0.45359237 },
  time: { ms: 1e-3, s: 1, min: 60, h: 3600 },
  frequency: { Hz: 1, rpm: 1 / 60 },
}

const table: Readonly<Record<string, Unit>> = Object.fromEntries(
  Object.entries(quantities).flatMap(([quantity, units]) =>
    Object.entries(units).map(([name, f]) => [name, typeof f === 'number' ? { quantity, factor: f } : { quantity, factor: f[0], offset: f[1] }])),
)

export const unitNames = Object.keys(table)

/** Why `from` cannot be converted to `to`, or undefined when it can. */
export function conversionError(from: string, to: string): string | undefined {
  const a = table[from]
  const b = table[to]
  if (a === undefined || b === undefined) return undefined
  return a.quantity === b.quantity ? undefined : `cannot convert ${from} (${a.quantity}) to ${to} (${b.quantity})`
}

export function isUnit(name: string): boolean {
  return table[name] !== undefined
}

/** `value` in `from` expressed in `to`; both known and of one quantity (checked at load). */
export function convertUnit(value: number, from: string, to: string): number {
  const a = table[from]!
  const b = table[to]!
  const converted = (value * a.factor + (a.offset ?? 0) - (b.offset ?? 0)) / b.factor
  // 12 significant digits are beyond any field reading, and drop the binary noise of the factors (212, not 211.99999999999997).
  return Number(converted.toPrecision(12))
}
