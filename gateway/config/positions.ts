/**
 * YAML (and JSON, its subset) read with positions kept, so that a ConfigPath found wrong later
 * can be turned back into the line and column where the user wrote it.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node } from 'yaml'
import type { ConfigPath } from '../model/result.js'

/** A 1-based line and column. */
export interface Position {
  readonly line: number
  readonly col: number
}

/** A parsed document: its plain value, a path locator, and the syntax errors found (if any). */
export interface PositionedDocument {
  /** The document as plain data (maps, lists, scalars); partial when `errors` is non-empty. */
  readonly value: unknown
  /**
   * Where the value at `path` is written; the nearest enclosing key when the path does not exist.
   * `offset` points that many characters into a string written on one line (a derived tag's expression).
   */
  locate(path: ConfigPath, offset?: number): Position
  /** Syntax errors and duplicate keys, each with its position. */
  readonly errors: readonly (Position & { readonly message: string })[]
}

export function parseYaml(text: string): PositionedDocument {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false })
  const at = (offset: number): Position => lineCounter.linePos(offset)

  // Modbus addresses such as 00001 are numbers to YAML but lose their meaning without the zeros.
  visit(doc, {
    Scalar(_, node) {
      if (typeof node.value === 'number' && node.type === 'PLAIN' && /^0\d/.test(node.source ?? '')) node.value = node.source
    },
  })

  const errors = doc.errors.map((e) => {
    const position = at(e.pos[0])
    if (e.code === 'DUPLICATE_KEY') {
      const key = /^[^:\n]*/.exec(text.slice(e.pos[0]))?.[0].trim() ?? ''
      return { ...position, message: `duplicate key '${key}': each key may appear once in a map` }
    }
    return { ...position, message: e.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '') }
  })

  const locate = (path: ConfigPath, offset?: number): Position => {
    let node: unknown = doc.contents
    let position = at(rangeStart(node) ?? 0)
    for (const step of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(step))
        if (pair === undefined) break
        position = at(rangeStart(pair.key) ?? rangeStart(node) ?? 0)
        node = pair.value
      } else if (isSeq(node) && typeof step === 'number' && node.items[step] !== undefined) {
        node = node.items[step]
        position = at(rangeStart(node) ?? 0)
      } else break
    }
    return offset === undefined ? position : inside(node, offset) ?? position
  }

  /** The place `offset` characters into a one-line scalar, past its opening quote; undefined for block scalars. */
  const inside = (node: unknown, offset: number): Position | undefined => {
    if (!isScalar(node) || typeof node.value !== 'string' || node.range === undefined || node.range === null) return undefined
    if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') return undefined
    const quote = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0
    const start = node.range[0] + quote
    const source = text.slice(start, node.range[1])
    if (source.slice(0, offset).includes('\n')) return undefined
    return at(start + Math.min(offset, source.length))
  }

  return { value: doc.toJS(), locate, errors }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0]
}
