/**
 * The value model of the config language.
 *
 * Values are plain JS data (null, string, number, boolean, arrays, plain objects) plus three classes:
 * - `Secret`: a string that must never be printed. Its toString/toJSON/inspect all give "(secret)"; the
 *   only way to the text is `reveal()`, called where the value is actually used (an auth header, a file).
 * - `Capsule`: an opaque Go-style capsule, e.g. a ProfilesReceiver exported by pyroscope.write.
 * - `AlloyFunction`: a callable from the standard library.
 */
import { inspect } from 'node:util'
import type { Span } from './diagnostics.js'

const REDACTED = '(secret)'

export class Secret {
  readonly #value: string

  constructor(value: string) {
    this.#value = value
  }

  /** The secret text. Call only where the value is used, never to log or display it. */
  reveal(): string {
    return this.#value
  }

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [inspect.custom](): string {
    return REDACTED
  }
}

export class Capsule<T = unknown> {
  constructor(
    /** A type name shown in errors, e.g. "ProfilesReceiver". */
    readonly typeName: string,
    readonly value: T
  ) {}

  toString(): string {
    return `capsule("${this.typeName}")`
  }

  toJSON(): string {
    return this.toString()
  }
}

export interface CallContext {
  /** The span of the whole call expression, for errors that should point at the call. */
  readonly span: Span
  /** Spans of each argument expression, in order. */
  readonly argSpans: readonly Span[]
  /** Environment lookup (injected so tests do not depend on process.env). */
  readonly env: (name: string) => string | undefined
}

export class AlloyFunction {
  constructor(
    readonly name: string,
    readonly call: (args: readonly Value[], ctx: CallContext) => Value
  ) {}

  toString(): string {
    return `function(${this.name})`
  }
}

export type Value =
  | null
  | string
  | number
  | boolean
  | Secret
  | Capsule
  | AlloyFunction
  | readonly Value[]
  | { readonly [key: string]: Value }

export type ValueObject = { readonly [key: string]: Value }

export type TypeName = 'null' | 'string' | 'number' | 'bool' | 'secret' | 'capsule' | 'function' | 'array' | 'object'

export function typeOf(v: Value): TypeName {
  if (v === null) return 'null'
  switch (typeof v) {
    case 'string':
      return 'string'
    case 'number':
      return 'number'
    case 'boolean':
      return 'bool'
    default:
      // The object kinds are told apart below.
      break
  }
  if (v instanceof Secret) return 'secret'
  if (v instanceof Capsule) return 'capsule'
  if (v instanceof AlloyFunction) return 'function'
  if (Array.isArray(v)) return 'array'
  return 'object'
}

export function isObject(v: Value): v is ValueObject {
  return typeOf(v) === 'object'
}

export function isArray(v: Value): v is readonly Value[] {
  return Array.isArray(v)
}

/**
 * A short, secret-safe description of a value for error messages, e.g. `"abc"`, `42`, `list`, `(secret)`.
 * Long strings are cut so that an error never dumps a whole document.
 */
export function describeValue(v: Value): string {
  const t = typeOf(v)
  switch (t) {
    case 'string': {
      const s = v as string
      return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}…` : s)
    }
    case 'number':
    case 'bool':
    case 'null':
      return String(v)
    case 'secret':
      return REDACTED
    case 'capsule':
    case 'function':
      return String(v)
    case 'array':
      return 'list'
    case 'object':
      return 'object'
  }
}

/** Deep equality used by `==` and by re-evaluation to detect changed exports. Secrets compare by content. */
export function valuesEqual(a: Value, b: Value): boolean {
  const ta = typeOf(a)
  if (ta !== typeOf(b)) return false
  switch (ta) {
    case 'secret':
      return (a as Secret).reveal() === (b as Secret).reveal()
    case 'array': {
      const xa = a as readonly Value[]
      const xb = b as readonly Value[]
      return xa.length === xb.length && xa.every((x, i) => valuesEqual(x, xb[i] as Value))
    }
    case 'object': {
      const oa = a as ValueObject
      const ob = b as ValueObject
      const ka = Object.keys(oa)
      if (ka.length !== Object.keys(ob).length) return false
      return ka.every((k) => Object.hasOwn(ob, k) && valuesEqual(oa[k] as Value, ob[k] as Value))
    }
    default:
      return a === b
  }
}

/** Creates a plain object with a null prototype, so keys like "__proto__" are ordinary data. */
export function makeObject(entries: Iterable<readonly [string, Value]>): ValueObject {
  const o = nullPrototypeObject<Value>()
  for (const [k, v] of entries) o[k] = v
  return o
}

/**
 * An empty object without a prototype. Not `Object.create(null)`: V8 keeps those as hash tables, and every
 * target of a 10,000-target config was then a slow object for all later code (bench/config.bench.ts);
 * a literal given a null prototype stays a fast object with a shared shape.
 */
export function nullPrototypeObject<T>(): Record<string, T> {
  return Object.setPrototypeOf({}, null) as Record<string, T>
}
