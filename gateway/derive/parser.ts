import { exprLimits, type BinaryOp, type Expr, type ExprError } from './ast.js'
import { tokenize, type Token } from './lexer.js'

/** Binary operators by precedence, loosest first; `&&`/`||` are spellings of `and`/`or`. */
const levels: readonly (readonly string[])[] = [['or', '||'], ['and', '&&'], ['<', '<=', '>', '>=', '==', '!='], ['+', '-'], ['*', '/', '%']]
const spelling: Readonly<Record<string, BinaryOp>> = { '||': 'or', '&&': 'and' }
const COMPARISON = 2
const UNARY = levels.length

class Failure {
  constructor(readonly error: ExprError) {}
}

/**
 * A hand-written recursive-descent parser. Every recursion counts against `exprLimits.depth` and
 * every node against `exprLimits.nodes`, so no text can make it recurse or allocate without bound.
 */
export function parseExpression(text: string): { expr: Expr } | { error: ExprError } {
  const lexed = tokenize(text)
  if ('error' in lexed) return lexed
  const parser = new Parser(lexed.tokens)
  try {
    const expr = parser.expression(0)
    const next = parser.peek()
    if (next.t !== 'end') parser.fail(next.at, `unexpected ${describe(next)} after a complete expression`)
    return { expr }
  } catch (error) {
    if (error instanceof Failure) return { error: error.error }
    throw error
  }
}

class Parser {
  private i = 0
  private depth = 0
  private nodes = 0

  constructor(private readonly tokens: readonly Token[]) {}

  peek(): Token {
    return this.tokens[this.i]!
  }

  fail(at: number, message: string): never {
    throw new Failure({ at, message })
  }

  expression(level: number): Expr {
    if (level === UNARY) return this.unary()
    let left = this.expression(level + 1)
    for (;;) {
      const token = this.peek()
      const op = token.t === 'op' || token.t === 'name' ? token.value : ''
      if (!levels[level]!.includes(op)) return left
      this.i++
      const right = this.expression(level + 1)
      left = this.node({ k: 'binary', op: spelling[op] ?? (op as BinaryOp), left, right, at: token.at })
      // `a < b < c` reads as a chain in mathematics but would compare a boolean with c here.
      if (level === COMPARISON && levels[level]!.includes(this.opOf(this.peek()))) this.fail(this.peek().at, 'comparisons do not chain: write a < b and b < c')
    }
  }

  private opOf(token: Token): string {
    return token.t === 'op' || token.t === 'name' ? token.value : ''
  }

  private unary(): Expr {
    const token = this.peek()
    const op = this.opOf(token)
    if (op === '-' || op === '!' || op === 'not') {
      this.i++
      const arg = this.nested(() => (op === '-' ? this.unary() : this.expression(COMPARISON)))
      return this.node({ k: 'unary', op: op === '-' ? '-' : 'not', arg, at: token.at })
    }
    return this.primary()
  }

  private primary(): Expr {
    const token = this.peek()
    this.i++
    switch (token.t) {
      case 'number':
        return this.node({ k: 'number', value: token.value, at: token.at })
      case 'string':
        return this.node({ k: 'string', value: token.value, at: token.at })
      case 'tag':
        return this.node({ k: 'tag', name: token.value, at: token.at })
      case 'name':
        if (token.value === 'true' || token.value === 'false') return this.node({ k: 'boolean', value: token.value === 'true', at: token.at })
        if (this.opOf(this.peek()) === '(') return this.call(token.value, token.at)
        return this.node({ k: 'tag', name: token.value, at: token.at })
      case 'op':
        if (token.value === '(') {
          const inner = this.nested(() => this.expression(0))
          this.expect(')', 'to close the (')
          return inner
        }
        return this.fail(token.at, `unexpected ${describe(token)}: expected a number, a tag, a function call or (`)
      case 'end':
        return this.fail(token.at, 'the expression ends too early: expected a number, a tag, a function call or (')
    }
  }

  private call(fn: string, at: number): Expr {
    this.i++
    const args: Expr[] = []
    this.nested(() => {
      if (this.opOf(this.peek()) === ')') return
      for (;;) {
        args.push(this.expression(0))
        if (this.opOf(this.peek()) !== ',') return
        this.i++
      }
    })
    this.expect(')', `to close the arguments of ${fn}(`)
    return this.node({ k: 'call', fn, args, at })
  }

  private nested<T>(inner: () => T): T {
    if (++this.depth > exprLimits.depth) this.fail(this.peek().at, `nested more than ${exprLimits.depth} levels deep`)
    const result = inner()
    this.depth--
    return result
  }

  private node(expr: Expr): Expr {
    if (++this.nodes > exprLimits.nodes) this.fail(expr.at, `more than ${exprLimits.nodes} terms and operators in one expression`)
    return expr
  }

  private expect(op: string, why: string): void {
    const token = this.peek()
    if (this.opOf(token) !== op) this.fail(token.at, `expected '${op}' ${why}, found ${describe(token)}`)
    this.i++
  }
}

function describe(token: Token): string {
  switch (token.t) {
    case 'end':
      return 'the end of the expression'
    case 'tag':
      return `{${token.value}}`
    case 'string':
      return `"${token.value}"`
    default:
      return `'${token.value}'`
  }
}
