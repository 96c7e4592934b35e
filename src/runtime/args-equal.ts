/**
 * Whether two decoded component arguments are the same, so that a reload leaves an unchanged component
 * alone (docs/operations.md). Secrets compare by value (their value is a private field, invisible to a
 * structural comparison), capsules by the identity of what they hold (a receiver is a live object).
 */
import { isDeepStrictEqual } from 'node:util'
import { Capsule, Secret } from '../syntax/index.js'

export function argsEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a instanceof Secret || b instanceof Secret) return a instanceof Secret && b instanceof Secret && a.reveal() === b.reveal()
  if (a instanceof Capsule || b instanceof Capsule) {
    return a instanceof Capsule && b instanceof Capsule && a.typeName === b.typeName && a.value === b.value
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => argsEqual(x, b[i]))
  }
  if (isPlain(a) && isPlain(b)) {
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && argsEqual(a[k], b[k]))
  }
  return isDeepStrictEqual(a, b)
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}
