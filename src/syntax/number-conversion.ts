/**
 * Alloy's number ↔ string conversion, applied where a field of one type is given a value of the other
 * (syntax/internal/value/value.go `convertValue`; docs/alloy-compatibility.md):
 * - number → string: Go `FormatInt`/`FormatUint`, or `FormatFloat(f, 'f', -1, 64)` (never an exponent);
 * - string → number: "" fails; a leading "-" parses as a signed integer (so "-1.5" fails, as in Go); text
 *   with ".", "e" or "E" parses as a float; anything else as an unsigned integer.
 */

const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const INT64_MIN = -(2n ** 63n)
const UINT64_MAX = 2n ** 64n - 1n

export function numberToString(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString()
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf'
  const text = String(n)
  return text.includes('e') ? expandExponent(text) : text
}

/** "1.5e-7" → "0.00000015", "1.25e+22" → "12500000000000000000000". */
function expandExponent(text: string): string {
  const [mantissa = '', exponentText = '0'] = text.split('e')
  const negative = mantissa.startsWith('-')
  const digits = mantissa.replace('-', '')
  const [whole = '', fraction = ''] = digits.split('.')
  const all = whole + fraction
  const point = whole.length + Number(exponentText)
  let out: string
  if (point <= 0) out = `0.${'0'.repeat(-point)}${all}`
  else if (point >= all.length) out = all + '0'.repeat(point - all.length)
  else out = `${all.slice(0, point)}.${all.slice(point)}`
  return (negative ? '-' : '') + out
}

/** The number a string converts to, or undefined when Alloy would refuse it. */
export function stringToNumber(text: string): number | undefined {
  if (text === '') return undefined
  if (text.startsWith('-')) {
    if (!/^-\d+$/.test(text)) return undefined
    const n = BigInt(text)
    return n < INT64_MIN ? undefined : Number(n)
  }
  if (/[.eE]/.test(text)) {
    if (!FLOAT.test(text)) return undefined
    const n = Number(text)
    return Number.isFinite(n) ? n : undefined
  }
  if (!/^\d+$/.test(text)) return undefined
  const n = BigInt(text)
  return n > UINT64_MAX ? undefined : Number(n)
}
