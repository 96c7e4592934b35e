/**
 * The syntax tree of an Alloy config file. Every node carries the span it was parsed from, so that any
 * later error (type mismatch, unknown argument, conflicting arguments) can point at the exact text.
 */
import type { Span } from './diagnostics.js'

export interface File {
  readonly kind: 'file'
  readonly name: string
  readonly body: readonly Statement[]
  readonly span: Span
}

export type Statement = Block | Attribute

/** `name.path "label" { body }` */
export interface Block {
  readonly kind: 'block'
  /** The dotted name split on '.', e.g. ['pyroscope', 'scrape'] or ['profile', 'custom']. */
  readonly name: readonly string[]
  readonly nameSpan: Span
  /** The label's value without quotes, when the block has one. */
  readonly label?: string
  readonly labelSpan?: Span
  readonly body: readonly Statement[]
  readonly span: Span
}

/** `name = value` */
export interface Attribute {
  readonly kind: 'attribute'
  readonly name: string
  readonly nameSpan: Span
  readonly value: Expr
  readonly span: Span
}

export type Expr =
  | LiteralExpr
  | IdentifierExpr
  | AccessExpr
  | IndexExpr
  | CallExpr
  | ArrayExpr
  | ObjectExpr
  | UnaryExpr
  | BinaryExpr
  | ParenExpr

export interface LiteralExpr {
  readonly kind: 'literal'
  /** Numbers are JS numbers; strings are already unescaped. */
  readonly value: string | number | boolean | null
  /** The literal exactly as written in the source (used by the printer for round trips). */
  readonly raw: string
  readonly span: Span
}

export interface IdentifierExpr {
  readonly kind: 'identifier'
  readonly name: string
  readonly span: Span
}

/** `object.name` */
export interface AccessExpr {
  readonly kind: 'access'
  readonly object: Expr
  readonly name: string
  readonly nameSpan: Span
  readonly span: Span
}

/** `object[index]` */
export interface IndexExpr {
  readonly kind: 'index'
  readonly object: Expr
  readonly index: Expr
  readonly span: Span
}

/** `callee(args...)` */
export interface CallExpr {
  readonly kind: 'call'
  readonly callee: Expr
  readonly args: readonly Expr[]
  readonly span: Span
}

export interface ArrayExpr {
  readonly kind: 'array'
  readonly elements: readonly Expr[]
  readonly span: Span
}

export interface ObjectField {
  /** The key without quotes. */
  readonly key: string
  /** Whether the key was written as a quoted string. */
  readonly quoted: boolean
  readonly keySpan: Span
  readonly value: Expr
}

/** `{ key = value, "key" : value }` */
export interface ObjectExpr {
  readonly kind: 'object'
  readonly fields: readonly ObjectField[]
  readonly span: Span
}

export type UnaryOp = '!' | '-'

export interface UnaryExpr {
  readonly kind: 'unary'
  readonly op: UnaryOp
  readonly operand: Expr
  readonly span: Span
}

export type BinaryOp = '||' | '&&' | '==' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '^'

/** Alloy's operator precedence (higher binds tighter); `^` is right-associative, unary operators bind at 7. */
export const BINARY_PRECEDENCE: Readonly<Record<BinaryOp, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  '+': 4,
  '-': 4,
  '*': 5,
  '/': 5,
  '%': 5,
  '^': 6
}

export interface BinaryExpr {
  readonly kind: 'binary'
  readonly op: BinaryOp
  readonly left: Expr
  readonly right: Expr
  readonly span: Span
}

export interface ParenExpr {
  readonly kind: 'paren'
  readonly inner: Expr
  readonly span: Span
}
