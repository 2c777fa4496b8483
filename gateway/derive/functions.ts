import type { ExprType } from './ast.js'

/** What a function argument must be; a `literal` argument must be written as a constant. */
export interface Param {
  readonly type: ExprType
  readonly literal?: 'unit' | 'duration' | 'digits' | 'modulus'
}

export interface FunctionSpec {
  readonly params: readonly Param[]
  /** Arguments that must be given; the rest of `params` are optional. */
  readonly required: number
  /** The last parameter repeats (min, max). */
  readonly variadic?: true
  /** `same`: the type of the second and third arguments (if). */
  readonly result: ExprType | 'same'
  /** Keeps state between evaluations: one bounded slot per call in the expression. */
  readonly state?: true
  readonly usage: string
}

const num: Param = { type: 'number' }

export const functions: Readonly<Record<string, FunctionSpec>> = {
  if: { params: [{ type: 'boolean' }, { type: 'any' }, { type: 'any' }], required: 3, result: 'same', usage: 'if(condition, then, else)' },
  min: { params: [num], required: 1, variadic: true, result: 'number', usage: 'min(a, b, ...)' },
  max: { params: [num], required: 1, variadic: true, result: 'number', usage: 'max(a, b, ...)' },
  abs: { params: [num], required: 1, result: 'number', usage: 'abs(x)' },
  floor: { params: [num], required: 1, result: 'number', usage: 'floor(x)' },
  ceil: { params: [num], required: 1, result: 'number', usage: 'ceil(x)' },
  round: { params: [num, { type: 'number', literal: 'digits' }], required: 1, result: 'number', usage: 'round(x) or round(x, digits)' },
  clamp: { params: [num, num, num], required: 3, result: 'number', usage: 'clamp(x, low, high)' },
  convert: {
    params: [num, { type: 'string', literal: 'unit' }, { type: 'string', literal: 'unit' }],
    required: 3, result: 'number', usage: 'convert(x, "from unit", "to unit"), e.g. convert({Temp}, "degC", "degF")',
  },
  rate: { params: [num, { type: 'string', literal: 'duration' }], required: 1, result: 'number', state: true, usage: 'rate(x) per second, or rate(x, "1h") per hour' },
  delta: { params: [num, { type: 'number', literal: 'modulus' }], required: 1, result: 'number', state: true, usage: 'delta(counter) or delta(counter, 65536) for a counter that rolls over at 65536' },
  total: { params: [num, { type: 'string', literal: 'duration' }], required: 1, result: 'number', state: true, usage: 'total(rate) for a rate per second, total(rate, "1h") for a rate per hour' },
  sum: { params: [num], required: 1, result: 'number', state: true, usage: 'sum(x): x added up at every evaluation' },
  timeIn: { params: [{ type: 'boolean' }], required: 1, result: 'number', state: true, usage: 'timeIn(condition): seconds the condition has been true' },
}

export const functionNames = Object.keys(functions)
