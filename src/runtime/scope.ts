/** What a component's body is evaluated against: the exports of the components, as nested objects. */
import type { Diagnostic } from '../syntax/index.js'
import type { Scope } from '../syntax/index.js'
import { makeObject } from '../syntax/index.js'
import type { Value, ValueObject } from '../syntax/index.js'

/** `discovery.http.x.targets` resolves through `discovery` → `http` → `x` → the exports of discovery.http.x. */
export function exportsScope(components: Iterable<{ readonly id: string; readonly exports: ValueObject }>, env: Scope['env']): Scope {
  const root = new Map<string, Value>()
  for (const loaded of components) {
    const segments = loaded.id.split('.')
    root.set(segments[0] ?? '', insertPath(root.get(segments[0] ?? '') ?? null, segments.slice(1), loaded.exports))
  }
  return { lookup: (name) => root.get(name), env }
}

/** Returns a copy of `tree` (an object or null) with `value` placed at `path`. */
function insertPath(tree: Value, path: readonly string[], value: Value): Value {
  const [head, ...rest] = path
  if (head === undefined) return value
  const base = tree !== null && typeof tree === 'object' && !Array.isArray(tree) ? (tree as ValueObject) : makeObject([])
  const child = Object.hasOwn(base, head) ? (base[head] as Value) : null
  return makeObject([...Object.entries(base), [head, insertPath(child, rest, value)]])
}

/** Warnings as `LINE:COL: message` lines, to tell a repeated set from a new one. */
export function formatWarnings(warnings: readonly Diagnostic[]): string {
  return warnings.map((w) => `${w.span.start.line}:${w.span.start.column}: ${w.message}`).join('\n')
}
