import type { Expr, ExprType } from './ast.js'
import { checkExpression, references, type Suggest } from './check.js'
import { circleFrom, evaluationOrder } from './order.js'
import { parseExpression } from './parser.js'

export interface DerivedSource {
  readonly name: string
  readonly expression: string
}

export interface CompiledTag {
  readonly expr: Expr
  readonly type: ExprType
  /** State slots of its state functions. */
  readonly slots: number
  /** The tags it reads, each once. */
  readonly inputs: readonly string[]
}

/** A problem in the expression of derived tag `index`, at character `at` of its text. */
export interface CompileError {
  readonly index: number
  readonly at: number
  readonly message: string
}

/**
 * Parses and type-checks the derived tags of one device against the types of its other tags.
 * A derived tag may read another one (checked after it, with its type) but not in a circle.
 */
export function compileDerived(
  sources: readonly DerivedSource[], tagTypes: ReadonlyMap<string, ExprType>, suggest: Suggest,
): { tags: (CompiledTag | undefined)[]; errors: CompileError[] } {
  const errors: CompileError[] = []
  const parsed = sources.map((source, index) => {
    const result = parseExpression(source.expression)
    if ('error' in result) errors.push({ index, ...result.error })
    return 'expr' in result ? result.expr : undefined
  })
  const names = sources.map((s) => s.name)
  const inputs = parsed.map((expr) => (expr === undefined ? [] : [...references(expr)]))
  inputs.forEach((list, index) => {
    if (parsed[index] !== undefined && list.length === 0) errors.push({ index, at: 0, message: 'the expression reads no tag, so it would never be evaluated; use at least one tag of this device' })
  })
  const { order, circular } = evaluationOrder(inputs, names)
  const reported = new Set<string>()
  for (const index of circular) {
    const circle = circleFrom(index, inputs, names, circular)
    // A tag that only reads from a circle is reported through the circle's own members.
    if (circle[0] !== names[index]) continue
    const key = [...circle.slice(0, -1)].sort().join('\u0000')
    if (reported.has(key)) continue
    reported.add(key)
    const at = findReference(parsed[index]!, circle[1]!) ?? 0
    errors.push({ index, at, message: `derived tags read each other in a circle: ${circle.join(' → ')}; one of them must read device tags only` })
  }
  const types = new Map(tagTypes)
  for (const index of circular) types.set(names[index]!, 'any')
  const tags: (CompiledTag | undefined)[] = sources.map(() => undefined)
  for (const index of order) {
    const expr = parsed[index]
    if (expr === undefined) {
      types.set(names[index]!, 'any')
      continue
    }
    const checked = checkExpression(expr, types, suggest)
    for (const e of checked.errors) errors.push({ index, ...e })
    types.set(names[index]!, checked.type)
    if (checked.errors.length === 0) tags[index] = { expr: checked.expr, type: checked.type, slots: checked.slots, inputs: inputs[index]! }
  }
  return { tags, errors }
}

function findReference(expr: Expr, name: string): number | undefined {
  if (expr.k === 'tag') return expr.name === name ? expr.at : undefined
  const children = expr.k === 'unary' ? [expr.arg] : expr.k === 'binary' ? [expr.left, expr.right] : expr.k === 'call' ? expr.args : []
  for (const child of children) {
    const at = findReference(child, name)
    if (at !== undefined) return at
  }
  return undefined
}
