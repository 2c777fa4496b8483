import { exprLimits, NODE_PREFIX, type ExprError } from './ast.js'

export type Token =
  | { readonly t: 'number'; readonly value: number; readonly at: number }
  | { readonly t: 'string'; readonly value: string; readonly at: number }
  | { readonly t: 'name'; readonly value: string; readonly at: number }
  | { readonly t: 'tag'; readonly value: string; readonly at: number }
  | { readonly t: 'op'; readonly value: string; readonly at: number }
  | { readonly t: 'end'; readonly at: number }

const operators = ['<=', '>=', '==', '!=', '&&', '||', '+', '-', '*', '/', '%', '<', '>', '!', '(', ')', ',']
const number = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/
const name = /^[A-Za-z_][A-Za-z0-9_]*/

const nodeRef = /^\s*node\s*:\s*/

/** `{ node : Gateway/Buffer/Records }` and `{node:Gateway/Buffer/Records}` name the same node metric. */
function tagName(inner: string): string {
  const node = nodeRef.exec(inner)
  return node === null ? inner.trim() : NODE_PREFIX + inner.slice(node[0].length).trim()
}

/** Splits an expression into tokens. `{Pump/Flow Rate}` names a tag whose name is not a plain word, `{node:Name}` a node metric. */
export function tokenize(text: string): { tokens: Token[] } | { error: ExprError } {
  if (text.length > exprLimits.length) {
    return { error: { at: 0, message: `expression of ${text.length} characters, over the limit of ${exprLimits.length}` } }
  }
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i]!
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      continue
    }
    const rest = text.slice(i)
    const num = number.exec(rest)
    if (num !== null) {
      tokens.push({ t: 'number', value: Number(num[0]), at: i })
      i += num[0].length
      continue
    }
    const word = name.exec(rest)
    if (word !== null) {
      tokens.push({ t: 'name', value: word[0], at: i })
      i += word[0].length
      continue
    }
    if (c === '{' || c === '"' || c === "'") {
      const close = text.indexOf(c === '{' ? '}' : c, i + 1)
      if (close < 0) return { error: { at: i, message: c === '{' ? "'{' without its '}': a tag name in braces is closed by '}'" : `string without its closing ${c}` } }
      const inner = text.slice(i + 1, close)
      if (c === '{' && inner.trim() === '') return { error: { at: i, message: 'empty tag name in {}' } }
      if (c === '{' && nodeRef.exec(inner)?.[0].length === inner.length) return { error: { at: i, message: `empty node metric name in {${inner.trim()}}` } }
      tokens.push(c === '{' ? { t: 'tag', value: tagName(inner), at: i } : { t: 'string', value: inner, at: i })
      i = close + 1
      continue
    }
    const op = operators.find((o) => rest.startsWith(o))
    if (op === undefined) return { error: { at: i, message: `unexpected character '${c}'` } }
    tokens.push({ t: 'op', value: op, at: i })
    i += op.length
  }
  tokens.push({ t: 'end', at: text.length })
  return { tokens }
}
