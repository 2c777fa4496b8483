import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileDerived } from '../../../gateway/derive/compile.js'
import { Deriver } from '../../../gateway/derive/deriver.js'
import type { ExprType } from '../../../gateway/derive/ast.js'
import { parseExpression } from '../../../gateway/derive/parser.js'

const types = new Map<string, ExprType>([['A', 'number'], ['B', 'number'], ['Run', 'boolean'], ['Pump/Flow Rate', 'number'], ['Mode', 'string']])
const none = () => ''

/** One derived tag `X` over A, B, Run, Pump/Flow Rate, Mode; returns a function that feeds readings and gives X. */
function derive(expression: string) {
  const { tags, errors } = compileDerived([{ name: 'X', expression }], types, none)
  assert.deepEqual(errors, [])
  const deriver = new Deriver([{ name: 'X', ...tags[0]! }])
  return (at: number, values: Record<string, number | boolean | string | null>, uncertain = false) => {
    for (const [name, value] of Object.entries(values)) deriver.input(name, value, at, uncertain)
    return deriver.evaluate()[0]
  }
}

const value = (expression: string, values: Record<string, number | boolean | string | null>) => derive(expression)(1000, values)?.value

test('derive - arithmetic, precedence, comparison and boolean logic', () => {
  assert.equal(value('A + B * 2', { A: 1, B: 3 }), 7)
  assert.equal(value('(A + B) * 2', { A: 1, B: 3 }), 8)
  assert.equal(value('-A % 4', { A: 7 }), -3)
  assert.equal(value('A > 2 and not (B >= 3) || Run', { A: 3, B: 4, Run: false }), false)
  assert.equal(value('A == 1 && Run', { A: 1, Run: true }), true)
  assert.equal(value('Mode != "auto"', { Mode: 'manual' }), true)
  assert.equal(value('{Pump/Flow Rate} / 60', { 'Pump/Flow Rate': 120 }), 2)
})

test('derive - if, min, max, abs, round, floor, ceil, clamp', () => {
  assert.equal(value('if(Run, A, B)', { Run: true, A: 1, B: 2 }), 1)
  assert.equal(value('if(Run, A, B)', { Run: false, A: 1, B: 2 }), 2)
  assert.equal(value('min(A, B, 5)', { A: 7, B: 6 }), 5)
  assert.equal(value('max(A, B)', { A: 7, B: 6 }), 7)
  assert.equal(value('abs(A - B)', { A: 2, B: 6 }), 4)
  assert.equal(value('round(A)', { A: 2.5 }), 3)
  assert.equal(value('round(A, 2)', { A: 3.14159 }), 3.14)
  assert.equal(value('floor(A) + ceil(B)', { A: 2.7, B: 2.1 }), 5)
  assert.equal(value('clamp(A, 0, 100)', { A: 140 }), 100)
})

test('derive - unit conversion', () => {
  assert.equal(value('convert(A, "degC", "degF")', { A: 100 }), 212)
  assert.ok(Math.abs((value('convert(A, "bar", "psi")', { A: 1 }) as number) - 14.5038) < 1e-3)
  assert.equal(value('convert(A, "m3/h", "l/min")', { A: 6 }), 100)
  assert.equal(value('convert(A, "kWh", "MJ")', { A: 1 }), 3.6)
})

test('derive - a bad input makes the derived value bad (null), never a stale number; uncertain spreads', () => {
  const x = derive('A * B')
  assert.equal(x(1000, { A: 2, B: 3 })?.value, 6)
  assert.deepEqual(x(2000, { A: null }), { name: 'X', value: null, at: 2000, uncertain: false })
  assert.equal(x(3000, { A: 4 })?.value, 12)
  assert.deepEqual(x(4000, { B: 1 }, true), { name: 'X', value: 4, at: 4000, uncertain: true })
  // An input never read is bad too, and so is the branch of an if that is not taken.
  assert.equal(value('if(Run, A, B)', { Run: true, A: 1 }), null)
  assert.equal(value('A / B', { A: 1, B: 0 }), null)
})

test("derive - the timestamp is the newest input's", () => {
  const x = derive('A + B')
  x(5000, { A: 1 })
  assert.equal(x(3000, { B: 1 })?.at, 5000)
})

test('derive - rate of change per second, or per the duration given; null until two readings', () => {
  const r = derive('rate(A)')
  assert.equal(r(0, { A: 10 })?.value, null)
  assert.equal(r(2000, { A: 20 })?.value, 5)
  assert.equal(r(2000, { A: 30 })?.value, 5, 'the same time again says nothing new')
  assert.equal(r(3000, { A: 20 })?.value, -10)
  assert.equal(r(4000, { A: null })?.value, null)
  assert.equal(r(5000, { A: 20 })?.value, null, 'after a bad reading it starts again')
  const h = derive('rate(A, "1h")')
  h(0, { A: 0 })
  assert.equal(h(60_000, { A: 1 })?.value, 60)
})

test("derive - a counter's delta, with rollover at the modulus, and a reset without one", () => {
  const d = derive('delta(A, 65536)')
  assert.equal(d(0, { A: 65530 })?.value, 0)
  assert.equal(d(1, { A: 65535 })?.value, 5)
  assert.equal(d(2, { A: 4 })?.value, 5, '65535 -> 4 rolled over: 5 counts')
  assert.equal(d(3, { A: null })?.value, null)
  assert.equal(d(4, { A: 10 })?.value, 6, 'counts made while the counter was unreadable show up')
  const reset = derive('delta(A)')
  reset(0, { A: 100 })
  assert.equal(reset(1, { A: 3 })?.value, 3, 'a counter that dropped without a modulus was reset to 0')
})

test('derive - running total of a rate (trapezoids), sum of deltas, a bad stretch adds nothing', () => {
  const t = derive('total(A, "1h")')
  assert.equal(t(0, { A: 60 })?.value, 0)
  assert.equal(t(60_000, { A: 60 })?.value, 1)
  assert.equal(t(120_000, { A: 120 })?.value, 2.5)
  assert.equal(t(180_000, { A: null })?.value, null)
  assert.equal(t(240_000, { A: 120 })?.value, 2.5, 'the bad minute is not integrated')
  assert.equal(t(300_000, { A: 120 })?.value, 4.5)
  const s = derive('sum(delta(A, 100))')
  s(0, { A: 95 })
  s(1, { A: 99 })
  assert.equal(s(2, { A: 3 })?.value, 8)
})

test('derive - time in state counts the seconds a condition was true, not while it was unreadable', () => {
  const t = derive('timeIn(Run)')
  assert.equal(t(0, { Run: true })?.value, 0)
  assert.equal(t(3000, { Run: true })?.value, 3)
  assert.equal(t(5000, { Run: false })?.value, 5)
  assert.equal(t(9000, { Run: true })?.value, 5)
  assert.equal(t(10_000, { Run: null })?.value, null)
  assert.equal(t(20_000, { Run: true })?.value, 5)
  assert.equal(t(21_000, { Run: true })?.value, 6)
  assert.equal(derive('timeIn(A > 5) / 3600')(0, { A: 6 })?.value, 0)
})

test('derive - a derived tag may read another, evaluated after it', () => {
  const { tags, errors } = compileDerived([{ name: 'Y', expression: 'X * 2' }, { name: 'X', expression: 'A + 1' }], types, none)
  assert.deepEqual(errors, [])
  const deriver = new Deriver([{ name: 'Y', ...tags[0]! }, { name: 'X', ...tags[1]! }])
  deriver.input('A', 1, 0, false)
  assert.deepEqual(deriver.evaluate().map((r) => [r.name, r.value]), [['X', 2], ['Y', 4]])
})

const compileErrors = (sources: { name: string; expression: string }[]) => compileDerived(sources, types, (w, k) => (k.includes('Run') && w === 'Rnu' ? "; did you mean 'Run'?" : '')).errors

test('derive - a circle between derived tags is refused at the reference that closes it', () => {
  assert.deepEqual(compileErrors([{ name: 'X', expression: 'Y + 1' }, { name: 'Y', expression: 'A + X' }, { name: 'Z', expression: 'Z' }]), [
    { index: 0, at: 0, message: 'derived tags read each other in a circle: X → Y → X; one of them must read device tags only' },
    { index: 2, at: 0, message: 'derived tags read each other in a circle: Z → Z; one of them must read device tags only' },
  ])
})

test('derive - unknown tags and functions, type mismatches and wrong arguments each point into the text', () => {
  assert.deepEqual(compileErrors([{ name: 'X', expression: 'A + Rnu' }]), [{ index: 0, at: 4, message: "unknown tag 'Rnu' in this device; did you mean 'Run'?" }])
  assert.deepEqual(compileErrors([{ name: 'X', expression: 'A + Run' }]), [{ index: 0, at: 4, message: "type mismatch: '+' needs a number, this is a boolean" }])
  assert.deepEqual(compileErrors([{ name: 'X', expression: 'if(A, 1, 2)' }]), [{ index: 0, at: 3, message: 'type mismatch: if() needs a boolean, this is a number' }])
  assert.deepEqual(compileErrors([{ name: 'X', expression: 'if(Run, 1, Mode)' }]).map((e) => e.at), [11])
  assert.deepEqual(compileErrors([{ name: 'X', expression: 'convert(A, "degC", "bar")' }]).map((e) => e.message), ['cannot convert degC (temperature) to bar (pressure)'])
  assert.match(compileErrors([{ name: 'X', expression: 'rate(A, B)' }])[0]!.message, /expected a quoted duration/)
  assert.match(compileErrors([{ name: 'X', expression: 'abs(A, B)' }])[0]!.message, /abs takes 1 argument, got 2/)
  assert.match(compileErrors([{ name: 'X', expression: 'sqrt(A)' }])[0]!.message, /unknown function 'sqrt'/)
  assert.match(compileErrors([{ name: 'X', expression: '1 + 2' }])[0]!.message, /reads no tag/)
  assert.deepEqual(compileErrors([{ name: 'X', expression: 'A < B < 3' }]).map((e) => e.at), [6])
})

test('derive - hostile expressions are refused with the bound they break', () => {
  const deep = parseExpression(`${'('.repeat(10_000)}A${')'.repeat(10_000)}`)
  assert.ok('error' in deep)
  assert.match(deep.error.message, /over the limit of 2000/)
  const nested = parseExpression(`${'('.repeat(40)}A${')'.repeat(40)}`)
  assert.ok('error' in nested)
  assert.equal(nested.error.message, 'nested more than 32 levels deep')
  const negations = parseExpression(`${'-'.repeat(100)}A`)
  assert.ok('error' in negations && /nested more than 32/.test(negations.error.message))
  const huge = parseExpression('A+'.repeat(500_000) + 'A')
  assert.ok('error' in huge && /1000001 characters, over the limit of 2000/.test(huge.error.message))
  const wide = parseExpression(Array.from({ length: 300 }, () => 'A').join('+'))
  assert.ok('error' in wide && /more than 400 terms/.test(wide.error.message))
  const open = parseExpression('{Pump')
  assert.ok('error' in open && open.error.at === 0)
})

test('derive - {node:Name} names a node metric, with or without spaces around the colon; an empty one is refused', () => {
  const read = (expression: string) => {
    const result = parseExpression(expression)
    return 'expr' in result ? result.expr : result.error
  }
  assert.deepEqual(read('{ node : Gateway/Buffer/Records }'), { k: 'tag', name: 'node:Gateway/Buffer/Records', at: 0 })
  assert.deepEqual(read('{node:Gateway/Buffer/Records}'), { k: 'tag', name: 'node:Gateway/Buffer/Records', at: 0 })
  assert.deepEqual(read('A + {node: }'), { at: 4, message: 'empty node metric name in {node:}' })
})
