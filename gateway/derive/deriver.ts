import type { Value } from '../model/value.js'
import type { Expr } from './ast.js'
import { evaluate, type ExprValue, type Scope } from './evaluate.js'
import { evaluationOrder } from './order.js'
import { Slot } from './state.js'

/** One derived tag as the deriver runs it: its checked expression, state slots and inputs. */
export interface DerivedProgram {
  readonly name: string
  readonly expr: Expr
  readonly slots: number
  readonly inputs: readonly string[]
}

export interface DerivedValue {
  readonly name: string
  /** null: an input is bad or not read yet, or the result is not a finite number. */
  readonly value: ExprValue
  /** The newest input's time. */
  readonly at: number
  readonly uncertain: boolean
}

interface Current {
  value: ExprValue
  at: number
  uncertain: boolean
}

/**
 * The derived tags of one device: remembers the latest value of every tag they read, and
 * evaluates those whose inputs were read since the last evaluation, in dependency order.
 * The work per evaluation is bounded by the expressions' sizes, fixed at load.
 */
export class Deriver {
  private readonly current = new Map<string, Current>()
  private readonly readers = new Map<string, number[]>()
  private readonly order: readonly number[]
  private readonly dirty: boolean[]
  private readonly slots: Slot[][]

  constructor(private readonly programs: readonly DerivedProgram[]) {
    programs.forEach((p, i) => {
      for (const name of p.inputs) {
        const list = this.readers.get(name) ?? []
        list.push(i)
        this.readers.set(name, list)
      }
    })
    this.order = evaluationOrder(programs.map((p) => p.inputs), programs.map((p) => p.name)).order
    this.dirty = programs.map(() => false)
    this.slots = programs.map((p) => Array.from({ length: p.slots }, () => new Slot()))
  }

  /** Whether any derived tag reads `name`. */
  reads(name: string): boolean {
    return this.readers.has(name)
  }

  /** A reading of an input tag (engineering value, null when bad). */
  input(name: string, value: Value | null, at: number, uncertain: boolean): void {
    const readers = this.readers.get(name)
    if (readers === undefined) return
    this.current.set(name, { value: plain(value), at, uncertain })
    for (const i of readers) this.dirty[i] = true
  }

  /** Evaluates every derived tag an input of which was read since the last call. */
  evaluate(): DerivedValue[] {
    const out: DerivedValue[] = []
    for (const i of this.order) {
      if (!this.dirty[i]) continue
      this.dirty[i] = false
      const program = this.programs[i]!
      const result = this.run(program, this.slots[i]!)
      out.push(result)
      this.input(program.name, result.value, result.at, result.uncertain)
    }
    return out
  }

  private run(program: DerivedProgram, slots: readonly Slot[]): DerivedValue {
    let at = 0
    let bad = false
    let uncertain = false
    for (const name of program.inputs) {
      const input = this.current.get(name)
      if (input === undefined || input.value === null) bad = true
      if (input === undefined) continue
      if (input.at > at) at = input.at
      if (input.uncertain) uncertain = true
    }
    const current = this.current
    const scope: Scope = { at, slots, value: (name) => current.get(name)?.value ?? null }
    // Evaluated even with a bad input, so that state functions see the gap.
    const value = evaluate(program.expr, scope)
    return { name: program.name, value: bad ? null : value, at, uncertain: !bad && uncertain }
  }
}

function plain(value: Value | null): ExprValue {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') return value
  if (typeof value === 'bigint') return Number(value)
  return null
}
