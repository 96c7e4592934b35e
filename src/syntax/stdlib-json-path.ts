/**
 * `json_path(json, path)`: the JSONPath subset configs use, returning the list of matches (empty when
 * nothing matches), as Alloy's ojg-based implementation does.
 *
 * Supported: `$`, `.name`, `['name']` / `["name"]`, `[n]` (negative counts from the end), `[*]`, `.*`,
 * and `..name` / `..*` (recursive descent).
 */
import { fn } from './stdlib-args.js'
import type { Args } from './stdlib-args.js'
import { fromJsonValue } from './stdlib-encoding.js'
import type { AlloyFunction, Value, ValueObject } from './value.js'

type Step =
  | { readonly kind: 'child'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'descend'; readonly then: Step }

const STEP = /^(?:\.\.(\*|[^.[\]]+)|\.(\*|[^.[\]]+)|\[\s*(\*|-?\d+|'[^']*'|"[^"]*")\s*\])/

function bracketStep(inner: string): Step {
  if (inner === '*') return { kind: 'wildcard' }
  if (inner.startsWith("'") || inner.startsWith('"')) return { kind: 'child', name: inner.slice(1, -1) }
  return { kind: 'index', index: Number(inner) }
}

const nameStep = (name: string): Step => (name === '*' ? { kind: 'wildcard' } : { kind: 'child', name })

/** Parses a path into steps; `undefined` when it is not in the supported subset. */
export function parseJsonPath(path: string): Step[] | undefined {
  let rest = path.trim()
  if (!rest.startsWith('$')) return undefined
  rest = rest.slice(1)
  const steps: Step[] = []
  while (rest !== '') {
    const m = STEP.exec(rest)
    if (!m) return undefined
    if (m[1] !== undefined) steps.push({ kind: 'descend', then: nameStep(m[1]) })
    else if (m[2] !== undefined) steps.push(nameStep(m[2]))
    else steps.push(bracketStep(m[3] ?? ''))
    rest = rest.slice(m[0].length)
  }
  return steps
}

function children(v: Value): Value[] {
  if (Array.isArray(v)) return [...(v as readonly Value[])]
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === null) return Object.values(v as ValueObject)
  return []
}

function isPlainObject(v: Value): v is ValueObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === null
}

function applyStep(step: Step, v: Value): Value[] {
  switch (step.kind) {
    case 'child':
      return isPlainObject(v) && Object.hasOwn(v, step.name) ? [v[step.name] as Value] : []
    case 'index': {
      if (!Array.isArray(v)) return []
      const list = v as readonly Value[]
      const i = step.index < 0 ? list.length + step.index : step.index
      return i >= 0 && i < list.length ? [list[i] as Value] : []
    }
    case 'wildcard':
      return children(v)
    case 'descend':
      return [v, ...descendants(v)].flatMap((x) => applyStep(step.then, x))
  }
}

function descendants(v: Value): Value[] {
  return children(v).flatMap((c) => [c, ...descendants(c)])
}

export function evaluateJsonPath(steps: readonly Step[], root: Value): Value[] {
  return steps.reduce<Value[]>((current, step) => current.flatMap((v) => applyStep(step, v)), [root])
}

function jsonPath(a: Args): Value {
  const text = a.string(0)
  const steps = parseJsonPath(a.string(1))
  if (!steps) throw a.error(1, 'unsupported JSONPath (expected $ followed by .name, [n], [*], [\'name\'] or ..name steps)')
  let root: unknown
  try {
    root = JSON.parse(text) as unknown
  } catch (err) {
    throw a.callError(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`)
  }
  return evaluateJsonPath(steps, fromJsonValue(root))
}

export function jsonPathFunction(): AlloyFunction {
  return fn('json_path', 2, jsonPath)
}
