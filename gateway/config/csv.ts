/**
 * CSV tag lists: a header row naming tag keys, then one tag per row, as a spreadsheet or another
 * gateway exports them. Cells keep their positions so errors name the CSV's own line and column.
 */
import type { ConfigPath } from '../model/result.js'
import type { Position } from './positions.js'

/** A parsed tag list: rows as tag maps, positions, and the problems of the CSV itself. */
export interface CsvTags {
  /** One map per data row; empty cells are left out. */
  readonly rows: readonly Readonly<Record<string, unknown>>[]
  /** The header row's column names, trimmed. */
  readonly columns: readonly string[]
  /** Position of `[row]` or `[row, key]` (paths relative to the tag list). */
  locate(path: ConfigPath): Position
  /** Position of a key's header cell, when the header names it. */
  header(key: string): Position | undefined
  readonly errors: readonly (Position & { readonly message: string })[]
}

interface Cell extends Position {
  readonly text: string
  readonly quoted: boolean
}

export function parseCsv(input: string): CsvTags {
  const text = input.replace(/^\uFEFF/, '')
  const errors: (Position & { message: string })[] = []
  const records = split(text, delimiter(text), errors).filter((r) => !(r.length === 1 && r[0].text.trim() === '' && !r[0].quoted))
  const head = records[0] ?? []
  const keys = head.map((c) => c.text.trim())
  keys.forEach((key, i) => {
    if (key === '') errors.push({ ...at(head[i]), message: 'empty column name in the header row' })
    else if (keys.indexOf(key) !== i) errors.push({ ...at(head[i]), message: `column '${key}' appears twice in the header row` })
  })
  if (records.length === 0) errors.push({ line: 1, col: 1, message: 'expected a header row naming tag keys (name,address,type,...)' })

  const body = records.slice(1)
  const rows = body.map((cells) => {
    const row: Record<string, unknown> = {}
    cells.forEach((cell, i) => {
      if (i >= keys.length) {
        if (cell.text.trim() !== '') errors.push({ ...at(cell), message: `this row has more cells than the header has columns (${keys.length})` })
        return
      }
      const value = textColumns.has(keys[i]!) ? asText(cell) : convert(cell)
      if (value !== undefined && keys[i] !== '') row[keys[i]] = value
    })
    return row
  })

  const locate = (path: ConfigPath): Position => {
    const cells = typeof path[0] === 'number' ? body[path[0]] : undefined
    if (cells === undefined) return { line: 1, col: 1 }
    const column = typeof path[1] === 'string' ? keys.indexOf(path[1]) : -1
    return at(cells[column] ?? cells[0])
  }
  const header = (key: string): Position | undefined => (keys.includes(key) ? at(head[keys.indexOf(key)]) : undefined)
  return { rows, columns: keys, locate, header, errors }
}

const at = (cell: Cell): Position => ({ line: cell.line, col: cell.col })

/** Comma unless the header row has none and uses semicolons (European spreadsheets) or tabs. */
function delimiter(text: string): string {
  const first = text.split(/\r?\n/, 1)[0]
  if (first.includes(',')) return ','
  if (first.includes(';')) return ';'
  return first.includes('\t') ? '\t' : ','
}

/** RFC 4180: quoted cells may hold delimiters, newlines and doubled quotes. */
function split(text: string, sep: string, errors: (Position & { message: string })[]): Cell[][] {
  const records: Cell[][] = []
  let record: Cell[] = []
  let line = 1
  let lineStart = 0
  let i = 0
  while (i <= text.length) {
    const start: Position = { line, col: i - lineStart + 1 }
    let value = ''
    let quoted = false
    if (text[i] === '"') {
      quoted = true
      i++
      for (;;) {
        if (i >= text.length) {
          errors.push({ ...start, message: 'unterminated quoted cell: a " opens it but none closes it' })
          break
        }
        if (text[i] === '"' && text[i + 1] === '"') (value += '"'), (i += 2)
        else if (text[i] === '"') {
          i++
          break
        } else {
          if (text[i] === '\n') (line++, (lineStart = i + 1))
          value += text[i++]
        }
      }
      // Anything between the closing quote and the delimiter is kept rather than lost silently.
      while (i < text.length && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') value += text[i++]
    } else {
      while (i < text.length && text[i] !== sep && text[i] !== '\n' && text[i] !== '\r') value += text[i++]
    }
    record.push({ ...start, text: value, quoted })
    if (text[i] === sep) {
      i++
      continue
    }
    if (text[i] === '\r') i++
    if (i < text.length && text[i] === '\n') i++
    records.push(record)
    record = []
    line++
    lineStart = i
    if (i >= text.length) break
  }
  return records
}

/**
 * Numbers and true/false become values, quoted or not (some exporters quote every cell);
 * numbers with leading zeros such as Modicon addresses 00001 stay text, or they would lose their meaning.
 */
// Addresses and node ids are names, not quantities: 40022.4 is register 40022 bit 4, and
// 40022.10 must not become bit 1.
const textColumns = new Set(['address', 'nodeId', 'name', 'description', 'units'])

function asText(cell: Cell): string | undefined {
  const trimmed = cell.text.trim()
  return trimmed === '' ? undefined : trimmed
}

function convert(cell: Cell): unknown {
  const text = cell.text.trim()
  if (text === '') return undefined
  const lower = text.toLowerCase()
  if (lower === 'true' || lower === 'false') return lower === 'true'
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) && !/^[-+]?0\d/.test(text)) return Number(text)
  return text
}
