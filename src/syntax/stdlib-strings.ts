/**
 * The `string` namespace (and its deprecated top-level aliases): Go's strings functions and a subset of
 * fmt.Sprintf. Strings are handled by code point, as Go handles runes.
 */
import { FormatMismatch, goSprintf } from './go-format.js'
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
    ['to_lower', fn(n('to_lower'), 1, (a) => mapRunes(a.string(0), lowerRune))],
    ['to_upper', fn(n('to_upper'), 1, (a) => mapRunes(a.string(0), upperRune))],
    ['trim', fn(n('trim'), 2, (a) => trim(a.string(0), a.string(1)))],
    ['trim_prefix', fn(n('trim_prefix'), 2, (a) => trimPrefix(a.string(0), a.string(1)))],
    ['trim_suffix', fn(n('trim_suffix'), 2, (a) => trimSuffix(a.string(0), a.string(1)))],
    ['trim_space', fn(n('trim_space'), 1, (a) => a.string(0).replace(LEADING_SPACE, '').replace(TRAILING_SPACE, ''))]
  ])
}

/**
 * Go's strings.ToUpper/ToLower map each code point to one code point (unicode.ToUpper): no special
 * casing, so `ß` stays `ß` (JS gives `SS`) and a final `Σ` lowers to `σ` (JS gives `ς`).
 */
function mapRunes(s: string, map: (ch: string) => string): string {
  // ASCII fast path: the common case, and identical in both.
  if (/^[\x00-\x7f]*$/.test(s)) return map === upperRune ? s.toUpperCase() : s.toLowerCase()
  let out = ''
  for (const ch of s) out += map(ch)
  return out
}

function upperRune(ch: string): string {
  const up = ch.toUpperCase()
  return up.length === ch.length && Array.from(up).length === 1 ? up : ch
}

function lowerRune(ch: string): string {
  if (ch === '\u0130') return 'i' // Go maps İ to i; JS gives i + combining dot.
  const low = ch.toLowerCase()
  return Array.from(low).length === 1 ? low : ch
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

/** Go's fmt.Sprintf (go-format.ts); secrets are refused rather than printed. */
function sprintf(a: Args): Value {
  const template = a.string(0)
  const args = a.values.slice(1)
  const secret = args.findIndex((v) => typeOf(v) === 'secret')
  if (secret >= 0) throw a.error(secret + 1, 'cannot format a secret (use convert.nonsensitive)')
  try {
    return goSprintf(
      template,
      args,
      (verb) => a.callError(`missing argument for %${verb} in format string`),
      (used) => a.error(used + 1, `format string uses ${used} argument(s), got ${args.length}`)
    )
  } catch (err) {
    if (err instanceof FormatMismatch) throw err.argument === undefined ? a.callError(err.message) : a.error(err.argument + 1, err.message)
    throw err
  }
}
