import { parseDuration } from '../base/units.js'
import type { BinaryOp, Expr } from './ast.js'
import { delta, rate, Slot, sum, timeIn, total } from './state.js'
import { convertUnit } from './units.js'

/** A value inside an expression; null is a bad (unreadable) value and spreads to whatever uses it. */
export type ExprValue = number | boolean | string | null

export interface Scope {
  /** The current value of a tag, null when bad or not read yet. */
  value(name: string): ExprValue
  /** Time of the newest input, UTC ms: the clock of the state functions. */
  readonly at: number
  readonly slots: readonly Slot[]
}

const numberOf = (v: ExprValue): number | null => (typeof v === 'number' ? v : null)

/**
 * Evaluates a checked expression. Every argument is evaluated (no short cut), so a state function
 * in the branch of an `if` not taken still sees every reading. Never throws: a value of the wrong
 * kind at run time (a device that reported another type than its tag declared) gives null, and
 * so does a result that is not a finite number (a division by zero).
 */
export function evaluate(expr: Expr, scope: Scope): ExprValue {
  switch (expr.k) {
    case 'number':
    case 'boolean':
    case 'string':
      return expr.value
    case 'tag':
      return scope.value(expr.name)
    case 'unary': {
      const arg = evaluate(expr.arg, scope)
      if (expr.op === '-') return typeof arg === 'number' ? -arg : null
      return typeof arg === 'boolean' ? !arg : null
    }
    case 'binary':
      return binary(expr.op, evaluate(expr.left, scope), evaluate(expr.right, scope))
    case 'call':
      return call(expr, expr.args.map((a) => evaluate(a, scope)), scope)
  }
}

function finite(n: number): number | null {
  return Number.isFinite(n) ? n : null
}

function binary(op: BinaryOp, a: ExprValue, b: ExprValue): ExprValue {
  if (a === null || b === null) return null
  if (op === 'and' || op === 'or') {
    if (typeof a !== 'boolean' || typeof b !== 'boolean') return null
    return op === 'and' ? a && b : a || b
  }
  if (op === '==' || op === '!=') return typeof a !== typeof b ? null : (a === b) === (op === '==')
  if (typeof a !== 'number' || typeof b !== 'number') return null
  switch (op) {
    case '+': return finite(a + b)
    case '-': return finite(a - b)
    case '*': return finite(a * b)
    case '/': return finite(a / b)
    case '%': return finite(a % b)
    case '<': return a < b
    case '<=': return a <= b
    case '>': return a > b
    case '>=': return a >= b
  }
}

function call(expr: Extract<Expr, { k: 'call' }>, args: ExprValue[], scope: Scope): ExprValue {
  const slot = expr.slot === undefined ? undefined : scope.slots[expr.slot]
  const x = numberOf(args[0] ?? null)
  switch (expr.fn) {
    case 'if':
      return typeof args[0] === 'boolean' ? (args[0] ? args[1]! : args[2]!) : null
    case 'min':
    case 'max': {
      const numbers = args.map(numberOf)
      if (numbers.some((n) => n === null)) return null
      return expr.fn === 'min' ? Math.min(...(numbers as number[])) : Math.max(...(numbers as number[]))
    }
    case 'abs': return x === null ? null : Math.abs(x)
    case 'floor': return x === null ? null : Math.floor(x)
    case 'ceil': return x === null ? null : Math.ceil(x)
    case 'round': {
      const digits = numberOf(args[1] ?? 0) ?? 0
      return x === null ? null : finite(Math.round(x * 10 ** digits) / 10 ** digits)
    }
    case 'clamp': {
      const [low, high] = [numberOf(args[1]!), numberOf(args[2]!)]
      return x === null || low === null || high === null ? null : Math.min(Math.max(x, low), high)
    }
    case 'convert': return x === null ? null : finite(convertUnit(x, String(args[1]), String(args[2])))
    case 'rate': return slot === undefined ? null : rate(slot, x, scope.at, perMs(args[1]))
    case 'delta': return slot === undefined ? null : delta(slot, x, numberOf(args[1] ?? null) ?? undefined)
    case 'total': return slot === undefined ? null : total(slot, x, scope.at, perMs(args[1]))
    case 'sum': return slot === undefined ? null : sum(slot, x)
    case 'timeIn': return slot === undefined ? null : timeIn(slot, typeof args[0] === 'boolean' ? args[0] : null, scope.at)
    default: return null
  }
}

function perMs(value: ExprValue | undefined): number {
  return typeof value === 'string' ? parseDuration(value) ?? 1000 : 1000
}
