/**
 * The parsed form of a derived tag's expression. Plain data only: a device config crosses a
 * worker thread (structured clone) and is compared as JSON on reload. `at` is the character offset
 * in the expression text, for messages that point into it.
 */
export type Expr =
  | { readonly k: 'number'; readonly value: number; readonly at: number }
  | { readonly k: 'boolean'; readonly value: boolean; readonly at: number }
  | { readonly k: 'string'; readonly value: string; readonly at: number }
  | { readonly k: 'tag'; readonly name: string; readonly at: number }
  | { readonly k: 'unary'; readonly op: '-' | 'not'; readonly arg: Expr; readonly at: number }
  | { readonly k: 'binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly at: number }
  | { readonly k: 'call'; readonly fn: string; readonly args: readonly Expr[]; readonly at: number; readonly slot?: number }

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or'

/** How an expression names a node metric among the tags it reads: `{node:Gateway/Buffer/Records}`. */
export const NODE_PREFIX = 'node:'

/** What an expression yields; `any` is an input whose type is only known once the device answers. */
export type ExprType = 'number' | 'boolean' | 'string' | 'any'

/** A problem in an expression: where in its text, and what a user can do about it. */
export interface ExprError {
  readonly at: number
  readonly message: string
}

/** The bounds every expression is held to at load, so that a hostile or runaway file is refused there. */
export const exprLimits = {
  /** Characters of one expression. */
  length: 2000,
  /** Parentheses, calls and unary operators nested in each other. */
  depth: 32,
  /** Literals, tag references, operators and calls together. */
  nodes: 400,
} as const
