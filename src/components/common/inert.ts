/**
 * Alloy attributes and blocks that have no effect in shardscope: accepted (so an Alloy config loads
 * unchanged) with a warning that names them. See docs/alloy-compatibility.md.
 */
import { convertValue } from '../../runtime/index.js'
import type { AttributeSpec, NestedBlockSpec, TypeSpec } from '../../runtime/index.js'

/** An attribute that is type-checked as Alloy would, then ignored with a warning. */
export function inertAttribute(name: string, type: TypeSpec, why: string): AttributeSpec {
  return {
    type,
    decode: (value, ctx) => {
      convertValue(value, type, ctx.expr, name)
      ctx.warn(`${name} is accepted for Alloy compatibility but ${why}`)
      return undefined
    }
  }
}

/** A block whose body is not read, with a warning. */
export function inertBlock(why: string): NestedBlockSpec {
  return { body: { attributes: {} }, inert: `is accepted for Alloy compatibility but ${why}` }
}
