import { parseDuration } from '../base/units.js'
import { NODE_PREFIX, type Expr, type ExprError, type ExprType } from './ast.js'
import { functionNames, functions, type FunctionSpec, type Param } from './functions.js'
import { conversionError, isUnit, unitNames } from './units.js'

/** `; did you mean 'x'?` or '' (the config layer's suggester, handed in). */
export type Suggest = (word: string, known: readonly string[]) => string

export interface Checked {
  /** The expression with a state slot numbered on every call that keeps state. */
  readonly expr: Expr
  readonly type: ExprType
  readonly errors: readonly ExprError[]
  /** How many state slots the expression needs. */
  readonly slots: number
}

/** The tag names an expression reads, each once, in the order written. */
export function references(expr: Expr, into: Set<string> = new Set()): Set<string> {
  if (expr.k === 'tag') into.add(expr.name)
  else if (expr.k === 'unary') references(expr.arg, into)
  else if (expr.k === 'binary') {
    references(expr.left, into)
    references(expr.right, into)
  } else if (expr.k === 'call') for (const arg of expr.args) references(arg, into)
  return into
}

/** Type-checks an expression against the types of the tags it may read. */
export function checkExpression(expr: Expr, inputs: ReadonlyMap<string, ExprType>, suggest: Suggest): Checked {
  const checker = new Checker(inputs, suggest)
  const result = checker.visit(expr)
  return { expr: result.expr, type: result.type, errors: checker.errors, slots: checker.slots }
}

const fits = (actual: ExprType, wanted: ExprType) => actual === 'any' || wanted === 'any' || actual === wanted

class Checker {
  readonly errors: ExprError[] = []
  slots = 0

  constructor(private readonly inputs: ReadonlyMap<string, ExprType>, private readonly suggest: Suggest) {}

  visit(expr: Expr): { expr: Expr; type: ExprType } {
    switch (expr.k) {
      case 'number':
      case 'boolean':
      case 'string':
        return { expr, type: expr.k }
      case 'tag': {
        const type = this.inputs.get(expr.name)
        if (type !== undefined) return { expr, type }
        this.errors.push({ at: expr.at, message: this.unknown(expr.name) })
        return { expr, type: 'any' }
      }
      case 'unary': {
        const arg = this.visit(expr.arg)
        const wanted = expr.op === '-' ? 'number' : 'boolean'
        this.want(arg.type, wanted, expr.arg.at, `'${expr.op}'`)
        return { expr: { ...expr, arg: arg.expr }, type: wanted }
      }
      case 'binary':
        return this.binary(expr)
      case 'call':
        return this.call(expr)
    }
  }

  private unknown(name: string): string {
    const known = [...this.inputs.keys()]
    if (!name.startsWith(NODE_PREFIX)) return `unknown tag '${name}' in this device${this.suggest(name, known.filter((k) => !k.startsWith(NODE_PREFIX)))}`
    const metric = name.slice(NODE_PREFIX.length)
    const metrics = known.filter((k) => k.startsWith(NODE_PREFIX)).map((k) => k.slice(NODE_PREFIX.length))
    const hint = this.suggest(metric, metrics) || `; the node metrics an expression may read: ${metrics.join(', ')}`
    return `unknown node metric '${metric}'${hint}`
  }

  private binary(expr: Extract<Expr, { k: 'binary' }>): { expr: Expr; type: ExprType } {
    const left = this.visit(expr.left)
    const right = this.visit(expr.right)
    const rebuilt = { ...expr, left: left.expr, right: right.expr }
    const op = `'${expr.op}'`
    if (expr.op === 'and' || expr.op === 'or') {
      this.want(left.type, 'boolean', expr.left.at, op)
      this.want(right.type, 'boolean', expr.right.at, op)
      return { expr: rebuilt, type: 'boolean' }
    }
    if (expr.op === '==' || expr.op === '!=') {
      if (!fits(left.type, right.type)) this.errors.push({ at: expr.at, message: `${op} compares a ${left.type} with a ${right.type}` })
      return { expr: rebuilt, type: 'boolean' }
    }
    this.want(left.type, 'number', expr.left.at, op)
    this.want(right.type, 'number', expr.right.at, op)
    return { expr: rebuilt, type: ['<', '<=', '>', '>='].includes(expr.op) ? 'boolean' : 'number' }
  }

  private call(expr: Extract<Expr, { k: 'call' }>): { expr: Expr; type: ExprType } {
    const spec = functions[expr.fn]
    const args = expr.args.map((a) => this.visit(a))
    const rebuiltArgs = args.map((a) => a.expr)
    if (spec === undefined) {
      this.errors.push({ at: expr.at, message: `unknown function '${expr.fn}'${this.suggest(expr.fn, functionNames)} (known: ${functionNames.join(', ')})` })
      return { expr: { ...expr, args: rebuiltArgs }, type: 'any' }
    }
    const most = spec.variadic ? Infinity : spec.params.length
    if (args.length < spec.required || args.length > most) {
      this.errors.push({ at: expr.at, message: `${expr.fn} takes ${arity(spec)}, got ${args.length}: ${spec.usage}` })
    }
    args.forEach((arg, i) => {
      const param = spec.params[Math.min(i, spec.params.length - 1)]!
      if (i < spec.params.length || spec.variadic) this.argument(expr.fn, spec, param, arg.type, expr.args[i]!)
    })
    const [, from, to] = expr.args
    if (expr.fn === 'convert' && from?.k === 'string' && to?.k === 'string') {
      const problem = conversionError(from.value, to.value)
      if (problem !== undefined) this.errors.push({ at: to.at, message: problem })
    }
    let type: ExprType = spec.result === 'same' ? 'any' : spec.result
    if (spec.result === 'same' && args.length === 3) {
      const [, a, b] = args as [unknown, { type: ExprType }, { type: ExprType }]
      if (!fits(a.type, b.type)) this.errors.push({ at: expr.args[2]!.at, message: `if() gives a ${a.type} when true but a ${b.type} when false; both must be of one type` })
      type = a.type === 'any' ? b.type : a.type
    }
    const rebuilt = spec.state ? { ...expr, args: rebuiltArgs, slot: this.slots++ } : { ...expr, args: rebuiltArgs }
    return { expr: rebuilt, type }
  }

  private argument(fn: string, spec: FunctionSpec, param: Param, type: ExprType, arg: Expr): void {
    if (param.literal === undefined) return this.want(type, param.type, arg.at, `${fn}()`)
    const constant = arg.k === 'string' || arg.k === 'number' ? arg.value : undefined
    const problem = literalProblem(param.literal, constant)
    if (problem !== undefined) this.errors.push({ at: arg.at, message: `${fn}(): ${problem}: ${spec.usage}` })
  }

  private want(actual: ExprType, wanted: ExprType, at: number, where: string): void {
    if (!fits(actual, wanted)) this.errors.push({ at, message: `type mismatch: ${where} needs a ${wanted}, this is a ${actual}` })
  }
}

function literalProblem(kind: NonNullable<Param['literal']>, value: string | number | undefined): string | undefined {
  switch (kind) {
    case 'unit':
      if (typeof value !== 'string') return 'a unit must be written as a quoted constant'
      return isUnit(value) ? undefined : `unknown unit "${value}" (known: ${unitNames.join(', ')})`
    case 'duration':
      return typeof value === 'string' && (parseDuration(value) ?? 0) > 0 ? undefined : 'expected a quoted duration such as "1s", "1m" or "1h"'
    case 'digits':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 12 ? undefined : 'digits must be a whole number from 0 to 12'
    case 'modulus':
      return typeof value === 'number' && value > 0 ? undefined : 'the rollover must be a positive constant, such as 65536'
  }
}

function arity(spec: FunctionSpec): string {
  if (spec.variadic) return `at least ${spec.required} argument${spec.required === 1 ? '' : 's'}`
  if (spec.required === spec.params.length) return `${spec.required} argument${spec.required === 1 ? '' : 's'}`
  return `${spec.required} to ${spec.params.length} arguments`
}
