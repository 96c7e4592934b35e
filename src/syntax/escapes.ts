/**
 * Go-style string escapes, both directions: the scanner decodes them, the printer writes them so that any
 * string value round-trips through `format` → `parse`.
 */

/** Go's `%#U`: `U+0023 '#'`, without the quoted character when it is not printable. */
export function describeCodePoint(cp: number): string {
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
  const ch = String.fromCodePoint(cp)
  return /[\p{C}\p{Zl}\p{Zp}]/u.test(ch) ? hex : `${hex} '${ch}'`
}

/**
 * A decoded escape: text, or (for `\x` and octal escapes) one byte, which the caller joins with its
 * neighbours and decodes as UTF-8, as Go strings are bytes (`"caf\xc3\xa9"` is `café`).
 */
export type EscapeResult =
  | { readonly value: string; readonly byte?: number; readonly end: number }
  | { readonly error: string; readonly end: number }

const SIMPLE: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"'
  // `\'` is not here: Go refuses it inside a double-quoted string.
}

/** Digits and base per escape letter; octal escapes have no letter (the first digit is part of the value). */
const NUMERIC: Readonly<Record<string, { digits: number; base: number; max: number; skip: number }>> = {
  x: { digits: 2, base: 16, max: 0xff, skip: 1 },
  u: { digits: 4, base: 16, max: 0x10ffff, skip: 1 },
  U: { digits: 8, base: 16, max: 0x10ffff, skip: 1 }
}
const OCTAL = { digits: 3, base: 8, max: 0xff, skip: 0 }

function digitValue(ch: string | undefined): number {
  if (ch === undefined) return 99
  const c = ch.toLowerCase()
  if (c >= '0' && c <= '9') return c.charCodeAt(0) - 48
  if (c >= 'a' && c <= 'f') return c.charCodeAt(0) - 87
  return 99
}

/**
 * Decodes the escape starting at `text[at] === '\\'`. On error, `end` is where scanning should resume
 * (the offending character is not consumed, as in Go, unless it is the escape letter itself).
 */
export function decodeEscape(text: string, at: number): EscapeResult {
  const letter = text[at + 1]
  if (letter === undefined || letter === '\n') return { error: 'escape sequence not terminated', end: at + 1 }
  const simple = SIMPLE[letter]
  if (simple !== undefined) return { value: simple, end: at + 2 }
  const spec = NUMERIC[letter] ?? (letter >= '0' && letter <= '7' ? OCTAL : undefined)
  if (spec === undefined) return { error: 'unknown escape sequence', end: at + 2 }
  let i = at + 1 + spec.skip
  let x = 0
  for (let n = 0; n < spec.digits; n++, i++) {
    const ch = text[i]
    const d = digitValue(ch)
    if (d >= spec.base) {
      const cp = text.codePointAt(i)
      const terminated = ch !== undefined && ch !== '\n' && ch !== '"'
      const error = terminated && cp !== undefined ? `illegal character ${describeCodePoint(cp)} in escape sequence` : 'escape sequence not terminated'
      return { error, end: i }
    }
    x = x * spec.base + d
  }
  if (x > spec.max || (x >= 0xd800 && x < 0xe000)) return { error: 'escape sequence is invalid Unicode code point', end: i }
  if (spec.max === 0xff) return { value: String.fromCodePoint(x), byte: x, end: i }
  return { value: String.fromCodePoint(x), end: i }
}

const QUOTE_SIMPLE: Readonly<Record<string, string>> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"'
}

/** Quotes a string as a double-quoted Alloy literal, escaping what is not printable (like Go's strconv.Quote). */
export function quoteString(value: string): string {
  let out = '"'
  for (const ch of value) {
    const simple = QUOTE_SIMPLE[ch]
    if (simple !== undefined) {
      out += simple
      continue
    }
    const cp = ch.codePointAt(0) ?? 0
    if (/[\p{C}\p{Zl}\p{Zp}]/u.test(ch) || (cp >= 0xd800 && cp < 0xe000)) out += escapeCodePoint(cp)
    else out += ch
  }
  return `${out}"`
}

function escapeCodePoint(cp: number): string {
  // Lone surrogates have no valid escape; U+FFFD is what Go would produce for them.
  const safe = cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp
  if (safe < 0x80) return `\\x${safe.toString(16).padStart(2, '0')}`
  if (safe <= 0xffff) return `\\u${safe.toString(16).padStart(4, '0')}`
  return `\\U${safe.toString(16).padStart(8, '0')}`
}
