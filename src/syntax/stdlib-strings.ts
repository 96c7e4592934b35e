/**
 * The `string` namespace (and its deprecated top-level aliases): Go's strings functions and a subset of
 * fmt.Sprintf. Strings are handled by code point, as Go handles runes.
 */
import { quoteString } from './escapes.js'
import { fn, variadic } from './stdlib-args.js'
import type { Args } from './stdlib-args.js'
import { makeObject, typeOf } from './value.js'
import type { Value, ValueObject } from './value.js'

/** Go's unicode.IsSpace: the White_Space property (which, unlike JS trim(), excludes U+FEFF). */
const LEADING_SPACE = /^\p{White_Space}+/u
const TRAILING_SPACE = /\p{White_Space}+$/u

/** The string functions, each named `${prefix}${name}` (prefix "string." or "" for the old aliases). */
export function stringFunctions(prefix: string): ValueObject {
  const n = (name: string): string => `${prefix}${name}`
  return makeObject([
    ['format', variadic(n('format'), sprintf)],
    ['join', fn(n('join'), 2, (a) => a.stringList(0).join(a.string(1)))],
    ['replace', fn(n('replace'), 3, (a) => replaceAll(a.string(0), a.string(1), a.string(2)))],
    ['split', fn(n('split'), 2, (a) => split(a.string(0), a.string(1)))],
    ['to_lower', fn(n('to_lower'), 1, (a) => a.string(0).toLowerCase())],
    ['to_upper', fn(n('to_upper'), 1, (a) => a.string(0).toUpperCase())],
    ['trim', fn(n('trim'), 2, (a) => trim(a.string(0), a.string(1)))],
    ['trim_prefix', fn(n('trim_prefix'), 2, (a) => trimPrefix(a.string(0), a.string(1)))],
    ['trim_suffix', fn(n('trim_suffix'), 2, (a) => trimSuffix(a.string(0), a.string(1)))],
    ['trim_space', fn(n('trim_space'), 1, (a) => a.string(0).replace(LEADING_SPACE, '').replace(TRAILING_SPACE, ''))]
  ])
}

/** strings.ReplaceAll; an empty `old` inserts `replacement` around every code point, as in Go. */
function replaceAll(s: string, old: string, replacement: string): string {
  if (old === '') return [replacement, ...Array.from(s).flatMap((c) => [c, replacement])].join('')
  return s.split(old).join(replacement)
}

/** strings.Split; an empty separator splits into code points. */
function split(s: string, sep: string): string[] {
  return sep === '' ? Array.from(s) : s.split(sep)
}

/** strings.Trim: drops leading and trailing code points found in `cutset`. */
function trim(s: string, cutset: string): string {
  const cut = new Set(Array.from(cutset))
  const chars = Array.from(s)
  let start = 0
  let end = chars.length
  while (start < end && cut.has(chars[start] ?? '')) start++
  while (end > start && cut.has(chars[end - 1] ?? '')) end--
  return chars.slice(start, end).join('')
}

function trimPrefix(s: string, prefix: string): string {
  return prefix !== '' && s.startsWith(prefix) ? s.slice(prefix.length) : s
}

function trimSuffix(s: string, suffix: string): string {
  return suffix !== '' && s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s
}

/**
 * fmt.Sprintf for the verbs configs use: %s %v %d %f %t %q %x and %%. A verb that does not fit its
 * argument, or a count mismatch, is an error (Go would print `%!d(string=…)` into the result instead).
 */
function sprintf(a: Args): Value {
  const template = a.string(0)
  let next = 1
  const out = template.replace(/%([-+# 0]*\d*(?:\.\d+)?)([a-zA-Z%])/g, (whole, flags: string, verb: string) => {
    if (verb === '%') return '%'
    if (next >= a.length) throw a.callError(`missing argument for ${whole} in format string`)
    const i = next++
    return formatVerb(a, i, verb, flags)
  })
  if (next < a.length) throw a.error(next, `format string uses ${next - 1} argument(s), got ${a.length - 1}`)
  return out
}

function formatVerb(a: Args, i: number, verb: string, flags: string): string {
  const v = a.value(i)
  const t = typeOf(v)
  const precision = /\.(\d+)/.exec(flags)?.[1]
  switch (verb) {
    case 's':
    case 'v':
      if (t === 'string' || t === 'number' || t === 'bool' || t === 'null') return v === null ? '<nil>' : String(v)
      break
    case 'd':
      if (typeof v === 'number' && Number.isInteger(v)) return String(v)
      break
    case 'f':
      if (typeof v === 'number') return v.toFixed(precision === undefined ? 6 : Number(precision))
      break
    case 't':
      if (typeof v === 'boolean') return String(v)
      break
    case 'q':
      if (typeof v === 'string') return quoteString(v)
      break
    case 'x':
      if (typeof v === 'number' && Number.isInteger(v)) return v.toString(16)
      if (typeof v === 'string') return Buffer.from(v, 'utf8').toString('hex')
      break
    default:
      throw a.error(0, `unsupported verb %${verb} in format string`)
  }
  const what = t === 'number' && (verb === 'd' || verb === 'x') ? 'non-integer number' : t
  throw a.error(i, `%${verb} cannot format a value of type ${what}`)
}
