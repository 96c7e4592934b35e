/**
 * Go's `%q` (strconv.Quote) for byte previews in error messages, so that a preview reads exactly as in
 * Alloy's logs: printable UTF-8 kept, the usual escapes, other bytes as \xNN.
 */

const ESCAPES: Readonly<Record<number, string>> = {
  0x07: '\\a',
  0x08: '\\b',
  0x0c: '\\f',
  0x0a: '\\n',
  0x0d: '\\r',
  0x09: '\\t',
  0x0b: '\\v',
  0x5c: '\\\\',
  0x22: '\\"'
}

export function goQuote(bytes: Uint8Array): string {
  let out = '"'
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i] ?? 0
    if (b < 0x80) {
      out += ESCAPES[b] ?? (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${hex2(b)}`)
      i++
      continue
    }
    const rune = decodeRune(bytes, i)
    if (rune === undefined) {
      out += `\\x${hex2(b)}`
      i++
      continue
    }
    out += isPrintable(rune.codePoint) ? String.fromCodePoint(rune.codePoint) : escapeRune(rune.codePoint)
    i += rune.size
  }
  return `${out}"`
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0')
}

function escapeRune(cp: number): string {
  return cp > 0xffff ? `\\U${cp.toString(16).padStart(8, '0')}` : `\\u${cp.toString(16).padStart(4, '0')}`
}

/** Approximates Go's unicode.IsPrint: everything but C1 controls, separators and non-characters. */
function isPrintable(cp: number): boolean {
  if (cp >= 0x80 && cp < 0xa0) return false
  if (cp === 0xad || cp === 0x2028 || cp === 0x2029 || cp === 0xfeff) return false
  return !(cp >= 0xfff9 && cp <= 0xfffb) && cp !== 0xfffe && cp !== 0xffff
}

/** Decodes one well-formed UTF-8 sequence (no overlongs, no surrogates), or undefined. */
function decodeRune(bytes: Uint8Array, at: number): { codePoint: number; size: number } | undefined {
  const b0 = bytes[at] ?? 0
  const size = b0 >= 0xc2 && b0 <= 0xdf ? 2 : b0 >= 0xe0 && b0 <= 0xef ? 3 : b0 >= 0xf0 && b0 <= 0xf4 ? 4 : 0
  if (size === 0 || at + size > bytes.length) return undefined
  let cp = b0 & (0xff >> (size + 1))
  for (let k = 1; k < size; k++) {
    const b = bytes[at + k] ?? 0
    if ((b & 0xc0) !== 0x80) return undefined
    cp = (cp << 6) | (b & 0x3f)
  }
  const min = size === 2 ? 0x80 : size === 3 ? 0x800 : 0x10000
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined
  return { codePoint: cp, size }
}
