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
  /** Where the value at `path` is written; the nearest enclosing key when the path does not exist. */
  locate(path: ConfigPath): Position
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

  const locate = (path: ConfigPath): Position => {
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
    return position
  }

  return { value: doc.toJS(), locate, errors }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0]
}
