/**
 * Tag addresses: `CO`/`DI`/`IR`/`HR` + 0-based offset (`HR100`), Modicon 1-based 5-digit (`40001`)
 * and 6-digit (`400001`) numbers, and a bit of a register (`HR100.3`, `40101.3`).
 * Modicon numbers are 1-based: 40001 is HR0, 40101 is HR100.
 */
import type { Table } from './types.js'

export interface Address {
  readonly table: Table
  /** 0-based protocol address. */
  readonly offset: number
  /** Bit of the register, 0 = least significant. */
  readonly bit?: number
}

export type ParsedAddress = { ok: true; address: Address } | { ok: false; message: string }

const modiconTables: Readonly<Record<string, Table>> = { '0': 'CO', '1': 'DI', '3': 'IR', '4': 'HR' }
const expected = 'expected an address like HR100 (0-based), 40101 or 400101 (Modicon, 1-based), or HR100.3 for a bit'

/** Parses an address as YAML or a CSV loader gives it: a string, or a number when it had no leading zero. */
export function parseAddress(raw: unknown): ParsedAddress {
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw) || raw < 0) {
      return { ok: false, message: `${expected}; got the number ${raw} (register bits must be text: quote them ('40101.3' in YAML, "40101.3" in CSV) or write HR100.3, since the number 40101.10 reads as 40101.1)` }
    }
    return parseText(String(raw))
  }
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, message: `${expected}; got ${raw === undefined ? 'nothing' : JSON.stringify(raw)}` }
  return parseText(raw.trim())
}

function parseText(text: string): ParsedAddress {
  const named = /^(CO|DI|IR|HR)(\d+)(?:\.(\d+))?$/i.exec(text)
  if (named) return withBit(named[1].toUpperCase() as Table, Number(named[2]), named[3], text)
  const modicon = /^(\d{1,6})(?:\.(\d+))?$/.exec(text)
  if (!modicon) return { ok: false, message: `${expected}; got "${text}"` }
  // Up to 5 digits is the 5-digit form (a number loses its leading zeros: 1 = 00001); 6 digits is the 6-digit form.
  const digits = modicon[1].padStart(5, '0')
  const table = modiconTables[digits[0]]
  if (table === undefined) {
    return { ok: false, message: `Modicon numbers start with 0 (coil), 1 (discrete input), 3 (input register) or 4 (holding register); got "${text}"` }
  }
  const index = Number(digits.slice(1))
  const max = digits.length === 6 ? 65536 : 9999
  if (index < 1 || index > max) {
    return { ok: false, message: `Modicon number "${text}" is out of range: the part after the table digit is 1..${max} (1-based)` }
  }
  return withBit(table, index - 1, modicon[2], text)
}

function withBit(table: Table, offset: number, bitText: string | undefined, text: string): ParsedAddress {
  if (offset > 65535) return { ok: false, message: `offset ${offset} in "${text}" is out of range 0..65535` }
  if (bitText === undefined) return { ok: true, address: { table, offset } }
  if (table === 'CO' || table === 'DI') return { ok: false, message: `"${text}": only registers (IR, HR) have bits; coils and discrete inputs are single bits already` }
  const bit = Number(bitText)
  if (bit > 15) return { ok: false, message: `"${text}": bit ${bitText} is out of range 0..15` }
  return { ok: true, address: { table, offset, bit } }
}
