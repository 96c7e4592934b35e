/**
 * `json_path(json, path)`: the list of matches (empty when nothing matches), in the syntax of ojg, the
 * library Alloy uses: the leading `$` is optional (`.a`, `a.b`, `[0]`), and the steps are `.name`,
 * `['name']` / `["name"]`, `[n]` (negative counts from the end), `[*]` / `.*`, unions `[0,2]` /
 * `['a','b']`, slices `[start:end:step]`, recursive descent `..name` / `..*` / `..[…]`, and filters
 * `[?(@.name == "Department")]` with `== != < <= > >=`, `&& || !`, parentheses, `@` (the element) and
 * `$` (the root) paths and string, number, bool and null literals. A bare path in a filter tests that it
 * exists. See docs/alloy-compatibility.md.
 */
import { fn } from './stdlib-args.js'
import type { Args } from './stdlib-args.js'
import { fromJsonValue } from './stdlib-encoding.js'
import { valuesEqual } from './value.js'
import type { AlloyFunction, Value, ValueObject } from './value.js'

type Selector =
  | { readonly kind: 'name'; readonly names: readonly string[] }
  | { readonly kind: 'index'; readonly indexes: readonly number[] }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'slice'; readonly start?: number; readonly end?: number; readonly step: number }
  | { readonly kind: 'filter'; readonly test: Filter }

type Step = { readonly selector: Selector; readonly descend: boolean }

type Filter =
  | { readonly kind: 'or' | 'and'; readonly left: Filter; readonly right: Filter }
  | { readonly kind: 'not'; readonly inner: Filter }
  | { readonly kind: 'cmp'; readonly op: string; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'exists'; readonly operand: Operand }

type Operand = { readonly kind: 'path'; readonly root: '@' | '$'; readonly steps: readonly Step[] } | { readonly kind: 'literal'; readonly value: Value }

class PathSyntaxError extends Error {}

class PathParser {
  readonly #text: string
  #pos = 0

  constructor(text: string) {
    this.#text = text
  }

  parsePath(): Step[] {
    this.#skipSpace()
    if (this.#peek('$')) this.#pos++
    else if (this.#peekName()) return [{ selector: this.#name(), descend: false }, ...this.#steps(false)]
    return this.#steps(false)
  }

  atEnd(): boolean {
    this.#skipSpace()
    return this.#pos >= this.#text.length
  }

  #steps(inFilter: boolean): Step[] {
    const steps: Step[] = []
    for (;;) {
      if (this.#text.startsWith('..', this.#pos)) {
        this.#pos += 2
        steps.push({ selector: this.#peek('[') ? this.#bracket() : this.#dotName(), descend: true })
      } else if (this.#peek('.')) {
        this.#pos++
        steps.push({ selector: this.#dotName(), descend: false })
      } else if (this.#peek('[')) {
        steps.push({ selector: this.#bracket(), descend: false })
      } else if (inFilter || this.#pos >= this.#text.length) {
        return steps
      } else {
        throw new PathSyntaxError(`unexpected ${JSON.stringify(this.#text[this.#pos])} at offset ${this.#pos}`)
      }
    }
  }

  #dotName(): Selector {
    if (this.#peek('*')) {
      this.#pos++
      return { kind: 'wildcard' }
    }
    if (!this.#peekName()) throw new PathSyntaxError(`expected a name at offset ${this.#pos}`)
    return this.#name()
  }

  #peekName(): boolean {
    return /[A-Za-z0-9_\-$\u0080-\uffff]/.test(this.#text[this.#pos] ?? '') && !this.#peek('$')
  }

  #name(): Selector {
    const m = /^[^.[\]\s()=!<>&|,]+/.exec(this.#text.slice(this.#pos))
    if (!m) throw new PathSyntaxError(`expected a name at offset ${this.#pos}`)
    this.#pos += m[0].length
    return { kind: 'name', names: [m[0]] }
  }

  #bracket(): Selector {
    this.#pos++ // [
    this.#skipSpace()
    let selector: Selector
    if (this.#peek('*')) {
      this.#pos++
      selector = { kind: 'wildcard' }
    } else if (this.#peek('?')) {
      this.#pos++
      this.#skipSpace()
      const parenthesized = this.#peek('(')
      if (parenthesized) this.#pos++
      const test = this.#or()
      if (parenthesized) this.#expect(')')
      selector = { kind: 'filter', test }
    } else if (this.#peek("'") || this.#peek('"')) {
      const names = [this.#string()]
      while (this.#accept(',')) names.push(this.#string())
      selector = { kind: 'name', names }
    } else {
      selector = this.#numbers()
    }
    this.#expect(']')
    return selector
  }

  #numbers(): Selector {
    const first = this.#int()
    if (this.#accept(':')) {
      const end = this.#int()
      const step = this.#accept(':') ? (this.#int() ?? 1) : 1
      if (step === 0) throw new PathSyntaxError('a slice step cannot be 0')
      return { kind: 'slice', ...(first !== undefined ? { start: first } : {}), ...(end !== undefined ? { end } : {}), step }
    }
    if (first === undefined) throw new PathSyntaxError(`expected an index at offset ${this.#pos}`)
    const indexes = [first]
    while (this.#accept(',')) {
      const next = this.#int()
      if (next === undefined) throw new PathSyntaxError(`expected an index at offset ${this.#pos}`)
      indexes.push(next)
    }
    return { kind: 'index', indexes }
  }

  #int(): number | undefined {
    this.#skipSpace()
    const m = /^-?\d+/.exec(this.#text.slice(this.#pos))
    if (!m) return undefined
    this.#pos += m[0].length
    this.#skipSpace()
    return Number(m[0])
  }

  #or(): Filter {
    let left = this.#and()
    while (this.#accept('||')) left = { kind: 'or', left, right: this.#and() }
    return left
  }

  #and(): Filter {
    let left = this.#unary()
    while (this.#accept('&&')) left = { kind: 'and', left, right: this.#unary() }
    return left
  }

  #unary(): Filter {
    this.#skipSpace()
    if (this.#peek('!') && !this.#text.startsWith('!=', this.#pos)) {
      this.#pos++
      return { kind: 'not', inner: this.#unary() }
    }
    if (this.#accept('(')) {
      const inner = this.#or()
      this.#expect(')')
      return inner
    }
    const left = this.#operand()
    this.#skipSpace()
    const op = /^(==|!=|<=|>=|<|>)/.exec(this.#text.slice(this.#pos))?.[0]
    if (op === undefined) return { kind: 'exists', operand: left }
    this.#pos += op.length
    return { kind: 'cmp', op, left, right: this.#operand() }
  }

  #operand(): Operand {
    this.#skipSpace()
    const c = this.#text[this.#pos]
    if (c === '@' || c === '$') {
      this.#pos++
      return { kind: 'path', root: c, steps: this.#steps(true) }
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: this.#string() }
    const m = /^(-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|true|false|null)/.exec(this.#text.slice(this.#pos))
    if (!m) throw new PathSyntaxError(`expected a value at offset ${this.#pos}`)
    this.#pos += m[0].length
    const lit = m[0]
    return { kind: 'literal', value: lit === 'true' ? true : lit === 'false' ? false : lit === 'null' ? null : Number(lit) }
  }

  #string(): string {
    this.#skipSpace()
    const quote = this.#text[this.#pos]
    if (quote !== "'" && quote !== '"') throw new PathSyntaxError(`expected a quoted name at offset ${this.#pos}`)
    let out = ''
    let i = this.#pos + 1
    for (; i < this.#text.length && this.#text[i] !== quote; i++) {
      if (this.#text[i] === '\\' && i + 1 < this.#text.length) i++
      out += this.#text[i]
    }
    if (i >= this.#text.length) throw new PathSyntaxError('unterminated string')
    this.#pos = i + 1
    this.#skipSpace()
    return out
  }

  #peek(s: string): boolean {
    return this.#text.startsWith(s, this.#pos)
  }

  #accept(s: string): boolean {
    this.#skipSpace()
    if (!this.#peek(s)) return false
    this.#pos += s.length
    this.#skipSpace()
    return true
  }

  #expect(s: string): void {
    if (!this.#accept(s)) throw new PathSyntaxError(`expected ${JSON.stringify(s)} at offset ${this.#pos}`)
  }

  #skipSpace(): void {
    while (/\s/.test(this.#text[this.#pos] ?? '')) this.#pos++
  }
}

/** Parses a path into steps; the reason when it is not valid. */
export function parseJsonPath(path: string): Step[] | string {
  const parser = new PathParser(path.trim())
  try {
    const steps = parser.parsePath()
    if (!parser.atEnd()) return 'unexpected text after the path'
    return steps
  } catch (err) {
    if (err instanceof PathSyntaxError) return err.message
    throw err
  }
}

function isPlainObject(v: Value): v is ValueObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.getPrototypeOf(v) === null
}

function children(v: Value): Value[] {
  if (Array.isArray(v)) return [...(v as readonly Value[])]
  if (isPlainObject(v)) return Object.values(v)
  return []
}

function descendants(v: Value): Value[] {
  return children(v).flatMap((c) => [c, ...descendants(c)])
}

function select(selector: Selector, v: Value, root: Value): Value[] {
  switch (selector.kind) {
    case 'name':
      return isPlainObject(v) ? selector.names.filter((n) => Object.hasOwn(v, n)).map((n) => v[n] as Value) : []
    case 'index': {
      if (!Array.isArray(v)) return []
      const list = v as readonly Value[]
      return selector.indexes.map((n) => (n < 0 ? list.length + n : n)).filter((i) => i >= 0 && i < list.length).map((i) => list[i] as Value)
    }
    case 'wildcard':
      return children(v)
    case 'slice': {
      if (!Array.isArray(v)) return []
      const list = v as readonly Value[]
      const norm = (n: number | undefined, fallback: number): number => (n === undefined ? fallback : n < 0 ? Math.max(0, list.length + n) : Math.min(n, list.length))
      const out: Value[] = []
      if (selector.step > 0) for (let i = norm(selector.start, 0); i < norm(selector.end, list.length); i += selector.step) out.push(list[i] as Value)
      else for (let i = norm(selector.start, list.length - 1); i > norm(selector.end, -1); i += selector.step) if (i < list.length) out.push(list[i] as Value)
      return out
    }
    case 'filter':
      return children(v).filter((c) => test(selector.test, c, root))
  }
}

function evaluateSteps(steps: readonly Step[], start: Value, root: Value): Value[] {
  return steps.reduce<Value[]>(
    (current, step) => current.flatMap((v) => (step.descend ? [v, ...descendants(v)] : [v]).flatMap((x) => select(step.selector, x, root))),
    [start]
  )
}

function operandValue(o: Operand, current: Value, root: Value): { found: boolean; value: Value } {
  if (o.kind === 'literal') return { found: true, value: o.value }
  const matches = evaluateSteps(o.steps, o.root === '@' ? current : root, root)
  return matches.length > 0 ? { found: true, value: matches[0] as Value } : { found: false, value: null }
}

function test(f: Filter, current: Value, root: Value): boolean {
  switch (f.kind) {
    case 'or':
      return test(f.left, current, root) || test(f.right, current, root)
    case 'and':
      return test(f.left, current, root) && test(f.right, current, root)
    case 'not':
      return !test(f.inner, current, root)
    case 'exists':
      return operandValue(f.operand, current, root).found
    case 'cmp': {
      const l = operandValue(f.left, current, root)
      const r = operandValue(f.right, current, root)
      if (!l.found || !r.found) return f.op === '!=' && l.found !== r.found
      if (f.op === '==') return valuesEqual(l.value, r.value)
      if (f.op === '!=') return !valuesEqual(l.value, r.value)
      const a = l.value
      const b = r.value
      if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false
      return f.op === '<' ? a < b : f.op === '<=' ? a <= b : f.op === '>' ? a > b : a >= b
    }
  }
}

export function evaluateJsonPath(steps: readonly Step[], root: Value): Value[] {
  return evaluateSteps(steps, root, root)
}

function jsonPath(a: Args): Value {
  const text = a.string(0)
  const steps = parseJsonPath(a.string(1))
  if (typeof steps === 'string') throw a.error(1, `invalid JSONPath: ${steps}`)
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
