/**
 * The units `convert(x, "from", "to")` knows: per unit its quantity and how it maps to that
 * quantity's base unit (base = value * factor + offset). US gallons; psi is pound-force per inch².
 */
interface Unit {
  readonly quantity: string
  readonly factor: number
  readonly offset?: number
}

const table: Readonly<Record<string, Unit>> = {
  degC: { quantity: 'temperature', factor: 1 },
  degF: { quantity: 'temperature', factor: 5 / 9, offset: -160 / 9 },
  K: { quantity: 'temperature', factor: 1, offset: -273.15 },
  Pa: { quantity: 'pressure', factor: 1 },
  kPa: { quantity: 'pressure', factor: 1e3 },
  MPa: { quantity: 'pressure', factor: 1e6 },
  mbar: { quantity: 'pressure', factor: 100 },
  bar: { quantity: 'pressure', factor: 1e5 },
  psi: { quantity: 'pressure', factor: 6894.757293168361 },
  'm3/s': { quantity: 'flow', factor: 1 },
  'm3/h': { quantity: 'flow', factor: 1 / 3600 },
  'l/s': { quantity: 'flow', factor: 1e-3 },
  'l/min': { quantity: 'flow', factor: 1e-3 / 60 },
  'l/h': { quantity: 'flow', factor: 1e-3 / 3600 },
  gpm: { quantity: 'flow', factor: 3.785411784e-3 / 60 },
  m3: { quantity: 'volume', factor: 1 },
  l: { quantity: 'volume', factor: 1e-3 },
  gal: { quantity: 'volume', factor: 3.785411784e-3 },
  W: { quantity: 'power', factor: 1 },
  kW: { quantity: 'power', factor: 1e3 },
  MW: { quantity: 'power', factor: 1e6 },
  hp: { quantity: 'power', factor: 745.6998715822702 },
  J: { quantity: 'energy', factor: 1 },
  kJ: { quantity: 'energy', factor: 1e3 },
  MJ: { quantity: 'energy', factor: 1e6 },
  Wh: { quantity: 'energy', factor: 3600 },
  kWh: { quantity: 'energy', factor: 3.6e6 },
  MWh: { quantity: 'energy', factor: 3.6e9 },
  mm: { quantity: 'length', factor: 1e-3 },
  cm: { quantity: 'length', factor: 1e-2 },
  m: { quantity: 'length', factor: 1 },
  km: { quantity: 'length', factor: 1e3 },
  in: { quantity: 'length', factor: 0.0254 },
  ft: { quantity: 'length', factor: 0.3048 },
  g: { quantity: 'mass', factor: 1e-3 },
  kg: { quantity: 'mass', factor: 1 },
  t: { quantity: 'mass', factor: 1e3 },
  lb: { quantity: 'mass', factor: 0.45359237 },
  ms: { quantity: 'time', factor: 1e-3 },
  s: { quantity: 'time', factor: 1 },
  min: { quantity: 'time', factor: 60 },
  h: { quantity: 'time', factor: 3600 },
  Hz: { quantity: 'frequency', factor: 1 },
  rpm: { quantity: 'frequency', factor: 1 / 60 },
}

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
