/**
 * The Alloy config language: text → tokens → AST → values. This file is the module's public door.
 */
export { parse, parseCollecting, parseExpr } from './parser.js'
export { lex, tokenize, isValidIdentifier } from './lexer.js'
export { decodeConfigBytes } from './config-bytes.js'
export type { Token, TokenKind, LexResult } from './lexer.js'
export { format, formatExpr } from './printer.js'
export { quoteString } from './escapes.js'
export { evaluate } from './evaluate.js'
export type { Scope } from './evaluate.js'
export { stdlib, createStdlib } from './stdlib.js'
export type { StdlibOptions } from './stdlib.js'
export { collectReferences, walkStatements } from './references.js'
export type { Reference } from './references.js'

export * from './diagnostics.js'
export type * from './ast.js'
export * from './value.js'
export { numberToString, stringToNumber } from './number-conversion.js'
