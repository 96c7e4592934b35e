/**
 * Finding what an expression refers to, for building the component graph: every maximal chain
 * `ident(.name)*` used as a value, e.g. `discovery.http.x.targets` → ['discovery','http','x','targets'].
 * Callees count too (`sys.env(…)` → ['sys','env']); the runtime filters standard-library names itself.
 */
import type { Expr, Statement } from './ast.js'
import { joinSpans } from './diagnostics.js'
import type { Span } from './diagnostics.js'

export interface Reference {
  readonly path: string[]
  readonly span: Span
}

/** The chain of names when `e` is `ident(.name)*`, else undefined. */
function chainOf(e: Expr): Reference | undefined {
  if (e.kind === 'identifier') return { path: [e.name], span: e.span }
  if (e.kind !== 'access') return undefined
  const base = chainOf(e.object)
  return base && { path: [...base.path, e.name], span: joinSpans(base.span, e.nameSpan) }
}

export function collectReferences(expr: Expr): Reference[] {
  const out: Reference[] = []
  const visit = (e: Expr): void => {
    const chain = chainOf(e)
    if (chain) {
      out.push(chain)
      return
    }
    switch (e.kind) {
      case 'access':
        return visit(e.object)
      case 'index':
        visit(e.object)
        return visit(e.index)
      case 'call':
        visit(e.callee)
        return e.args.forEach(visit)
      case 'array':
        return e.elements.forEach(visit)
      case 'object':
        return e.fields.forEach((f) => visit(f.value))
      case 'unary':
        return visit(e.operand)
      case 'binary':
        visit(e.left)
        return visit(e.right)
      case 'paren':
        return visit(e.inner)
      default:
        return
    }
  }
  visit(expr)
  return out
}

/**
 * Visits every statement depth-first (a block before its body). `path` is the names of the enclosing
 * blocks, outermost first.
 */
export function walkStatements(
  body: readonly Statement[],
  visit: (stmt: Statement, path: readonly Statement[]) => void,
  path: readonly Statement[] = []
): void {
  for (const stmt of body) {
    visit(stmt, path)
    if (stmt.kind === 'block') walkStatements(stmt.body, visit, [...path, stmt])
  }
}
