/**
 * Argument checking for standard-library functions: wrong counts point at the call, wrong types at the
 * argument, and messages name types only (never a value, which could be a secret).
 */
import { DiagnosticError } from './diagnostics.js'
import { numberToString } from './number-conversion.js'
import { AlloyFunction, typeOf } from './value.js'
import type { CallContext, TypeName, Value } from './value.js'

/** Defines a function with a fixed number of arguments. */
export function fn(name: string, arity: number, impl: (args: Args) => Value): AlloyFunction {
  return new AlloyFunction(name, (args, ctx) => {
    if (args.length !== arity) {
      throw DiagnosticError.at(ctx.span, `${name}: expected ${arity} argument${arity === 1 ? '' : 's'}, got ${args.length}`)
    }
    return impl(new Args(name, args, ctx))
  })
}

/** Defines a function taking any number of arguments. */
export function variadic(name: string, impl: (args: Args) => Value): AlloyFunction {
  return new AlloyFunction(name, (args, ctx) => impl(new Args(name, args, ctx)))
}

/** Typed access to a call's arguments, throwing positioned errors. */
export class Args {
  constructor(
    readonly name: string,
    readonly values: readonly Value[],
    readonly ctx: CallContext
  ) {}

  get length(): number {
    return this.values.length
  }

  value(i: number): Value {
    return this.values[i] ?? null
  }

  /** A string argument; a number is converted, as Alloy decodes function arguments. */
  string(i: number): string {
    const v = this.value(i)
    if (typeof v === 'number') return numberToString(v)
    return this.#typed(i, 'string') as string
  }

  list(i: number): readonly Value[] {
    return this.#typed(i, 'array') as readonly Value[]
  }

  stringList(i: number): string[] {
    const list = this.list(i)
    return list.map((v, j) => {
      if (typeof v === 'string') return v
      // Alloy converts numbers where strings are wanted (`join([0, 1], ",")` is "0,1").
      if (typeof v === 'number') return numberToString(v)
      throw this.error(i, `expected element ${j} to be string, got ${typeOf(v)}`)
    })
  }

  /** An error at argument `i` (or the call when the argument has no span). */
  error(i: number, message: string): DiagnosticError {
    return DiagnosticError.at(this.ctx.argSpans[i] ?? this.ctx.span, `${this.name}: ${message}`)
  }

  /** An error at the call itself. */
  callError(message: string): DiagnosticError {
    return DiagnosticError.at(this.ctx.span, `${this.name}: ${message}`)
  }

  #typed(i: number, expected: TypeName): Value {
    const v = this.value(i)
    const t = typeOf(v)
    if (t !== expected) throw this.error(i, `expected ${expected} for argument ${i + 1}, got ${t}`)
    return v
  }
}
