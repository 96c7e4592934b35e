/**
 * `string.format`: Go's fmt.Sprintf verbs, flags (`-+# 0`), width and precision for config values:
 * %v %s %q %x %X (strings), %d %b %o %O %x %X %c %q %U (integers), %e %E %f %F %g %G (numbers), %t, %%.
 * Where Go would print `%!d(string=x)`, `%!d(MISSING)` or `%!(EXTRA …)` into the result, the call is an
 * error instead (a clear message beats a config value with garbage in it); `%s` and `%v` print numbers as
 * %v does. See docs/alloy-compatibility.md.
 */
import { quoteString } from './escapes.js'
import { typeOf } from './value.js'
import type { Value, ValueObject } from './value.js'

export interface Spec {
  readonly minus: boolean
  readonly plus: boolean
  readonly sharp: boolean
  readonly space: boolean
  readonly zero: boolean
  readonly width: number | undefined
  readonly precision: number | undefined
  readonly verb: string
}

/** A verb that does not fit its argument; `argument` is its 0-based index among the values formatted. */
export class FormatMismatch extends Error {
  constructor(
    message: string,
    readonly argument?: number
  ) {
    super(message)
  }
}

const SPEC = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])?/g

/** Formats `template` with `args`; `onMissing`/`onExtra` make the errors for a count mismatch. */
export function goSprintf(template: string, args: readonly Value[], onMissing: (verb: string) => Error, onExtra: (used: number) => Error): string {
  let next = 0
  const out = template.replace(SPEC, (_whole, flags: string, width: string | undefined, precision: string | undefined, verb: string | undefined) => {
    if (verb === undefined) throw new FormatMismatch('the format string ends in the middle of a verb')
    if (verb === '%') return '%'
    if (next >= args.length) throw onMissing(verb)
    const spec: Spec = {
      minus: flags.includes('-'),
      plus: flags.includes('+'),
      sharp: flags.includes('#'),
      space: flags.includes(' '),
      zero: flags.includes('0'),
      width: width === undefined ? undefined : Number(width),
      precision: precision === undefined ? undefined : Number(precision || '0'),
      verb
    }
    const index = next++
    try {
      return formatValue(args[index] ?? null, spec)
    } catch (err) {
      if (err instanceof FormatMismatch && err.argument === undefined) throw new FormatMismatch(err.message, index)
      throw err
    }
  })
  if (next < args.length) throw onExtra(next)
  return out
}

function formatValue(v: Value, s: Spec): string {
  const t = typeOf(v)
  if (t === 'number') {
    const n = v as number
    if ('eEfFgG'.includes(s.verb) || (s.verb === 'v' && !Number.isInteger(n))) return pad(formatFloat(n, s.verb === 'v' ? 'g' : s.verb, s), s, true)
    if (Number.isInteger(n) && 'dboOxXcqUv'.includes(s.verb)) return formatInteger(n, s)
    if (s.verb === 's') return pad(formatFloat(n, 'g', { ...s, precision: undefined }), s, false)
    throw new FormatMismatch(`%${s.verb} cannot format a value of type ${Number.isInteger(n) ? 'number' : 'non-integer number'}`)
  }
  if (t === 'string') return formatString(v as string, s)
  if (t === 'bool' && (s.verb === 't' || s.verb === 'v' || s.verb === 's')) return pad(String(v), s, false)
  if (t === 'null' && (s.verb === 'v' || s.verb === 's')) return pad('<nil>', s, false)
  if ((t === 'array' || t === 'object') && s.verb === 'v') return pad(plainValue(v), s, false)
  throw new FormatMismatch(`%${s.verb} cannot format a value of type ${t}`)
}

/** Go's %v of a slice or map: `[a b]`, `map[k:v]` (keys sorted). */
function plainValue(v: Value): string {
  const t = typeOf(v)
  if (t === 'array') return `[${(v as readonly Value[]).map(plainValue).join(' ')}]`
  if (t === 'object') {
    const entries = Object.entries(v as ValueObject).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `map[${entries.map(([k, x]) => `${k}:${plainValue(x as Value)}`).join(' ')}]`
  }
  if (t === 'null') return '<nil>'
  if (t === 'number') return Number.isInteger(v) ? String(v) : formatFloat(v as number, 'g', { precision: undefined, sharp: false })
  if (t === 'string' || t === 'bool') return String(v)
  throw new FormatMismatch(`cannot format a value of type ${t}`)
}

function pad(text: string, s: Pick<Spec, 'width' | 'minus' | 'zero'>, numeric: boolean): string {
  const length = Array.from(text).length
  if (s.width === undefined || length >= s.width) return text
  const fill = s.width - length
  if (s.minus) return text + ' '.repeat(fill)
  if (s.zero && numeric) {
    const lead = /^[+\- ]/.test(text) ? (text[0] ?? '') : ''
    const prefix = /^[+\- ]?0[xXbo]/.test(text) ? text.slice(lead.length, lead.length + 2) : ''
    const body = text.slice(lead.length + prefix.length)
    return lead + prefix + '0'.repeat(fill) + body
  }
  return ' '.repeat(fill) + text
}

function sign(negative: boolean, s: Pick<Spec, 'plus' | 'space'>): string {
  return negative ? '-' : s.plus ? '+' : s.space ? ' ' : ''
}

function formatInteger(n: number, s: Spec): string {
  const big = BigInt(n)
  const negative = big < 0n
  const abs = negative ? -big : big
  switch (s.verb) {
    case 'c':
      return pad(String.fromCodePoint(Number(abs)), s, false)
    case 'q':
      return pad(`'${quoteString(String.fromCodePoint(Number(abs))).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`, s, false)
    case 'U': {
      const hex = `U+${abs.toString(16).toUpperCase().padStart(4, '0')}`
      return pad(s.sharp ? `${hex} '${String.fromCodePoint(Number(abs))}'` : hex, s, false)
    }
  }
  const base = s.verb === 'b' ? 2 : s.verb === 'o' || s.verb === 'O' ? 8 : s.verb === 'x' || s.verb === 'X' ? 16 : 10
  let digits = abs.toString(base)
  if (s.verb === 'X') digits = digits.toUpperCase()
  if (s.precision !== undefined) digits = s.precision === 0 && abs === 0n ? '' : digits.padStart(s.precision, '0')
  let prefix = ''
  if (s.verb === 'O') prefix = '0o'
  else if (s.sharp && s.verb === 'x') prefix = '0x'
  else if (s.sharp && s.verb === 'X') prefix = '0X'
  else if (s.sharp && s.verb === 'b') prefix = '0b'
  else if (s.sharp && s.verb === 'o' && !digits.startsWith('0')) prefix = '0'
  // Go ignores the 0 flag when a precision is given for integers.
  return pad(sign(negative, s) + prefix + digits, { ...s, zero: s.zero && s.precision === undefined }, true)
}

function formatString(text: string, s: Spec): string {
  const cut = s.precision === undefined ? text : Array.from(text).slice(0, s.precision).join('')
  switch (s.verb) {
    case 's':
    case 'v':
      return pad(s.verb === 'v' && s.sharp ? quoteString(cut) : cut, s, false)
    case 'q':
      if (s.sharp && !/[`\p{C}]/u.test(cut)) return pad(`\`${cut}\``, s, false)
      return pad(s.plus ? asciiQuote(cut) : quoteString(cut), s, false)
    case 'x':
    case 'X': {
      const bytes = [...Buffer.from(cut, 'utf8')].map((b) => b.toString(16).padStart(2, '0'))
      const prefix = s.sharp ? '0x' : ''
      let out = s.space ? bytes.map((b) => prefix + b).join(' ') : prefix + bytes.join('')
      if (s.verb === 'X') out = out.toUpperCase()
      return pad(out, s, false)
    }
    default:
      throw new FormatMismatch(`%${s.verb} cannot format a value of type string`)
  }
}

/** %+q: strconv.QuoteToASCII. */
function asciiQuote(text: string): string {
  return quoteString(text).replace(/[^\x00-\x7f]/gu, (ch) => {
    const cp = ch.codePointAt(0) ?? 0
    return cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`
  })
}

/** Decimal digits (no leading or trailing zeros) and the decimal point position, as strconv's `decimal`. */
function digitsOf(abs: number, significant: number | undefined): { digits: string; dp: number } {
  if (abs === 0) return { digits: '', dp: 0 }
  const [mantissa = '', exp = '0'] = (significant === undefined ? abs.toExponential() : abs.toExponential(Math.max(0, significant - 1))).split('e')
  const digits = mantissa.replace('.', '').replace(/0+$/, '')
  return { digits, dp: Number(exp) + 1 }
}

function fmtE(digits: string, dp: number, decimals: number, upper: boolean): string {
  const all = (digits === '' ? '0' : digits).padEnd(decimals + 1, '0')
  const exp = digits === '' ? 0 : dp - 1
  const mantissa = decimals > 0 ? `${all[0]}.${all.slice(1, decimals + 1)}` : (all[0] ?? '0')
  const e = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`
  return `${mantissa}${upper ? 'E' : 'e'}${e}`
}

function fmtF(digits: string, dp: number, decimals: number): string {
  const intPart = dp <= 0 ? '0' : (digits.slice(0, dp).padEnd(dp, '0') || '0')
  const frac = (dp < 0 ? '0'.repeat(-dp) + digits : digits.slice(Math.max(dp, 0))).padEnd(decimals, '0').slice(0, decimals)
  return decimals > 0 ? `${intPart}.${frac}` : intPart
}

export function formatFloat(n: number, verb: string, s: Pick<Spec, 'precision' | 'sharp'> & Partial<Spec>): string {
  const negative = n < 0 || Object.is(n, -0)
  if (Number.isNaN(n)) return 'NaN'
  if (!Number.isFinite(n)) return `${negative ? '-' : s.plus ? '+' : ''}Inf`
  const abs = Math.abs(n)
  const lead = sign(negative, { plus: s.plus ?? false, space: s.space ?? false })
  const upper = verb === 'E' || verb === 'G'
  switch (verb) {
    case 'e':
    case 'E':
      return lead + fmtE(digitsOf(abs, (s.precision ?? 6) + 1).digits, digitsOf(abs, (s.precision ?? 6) + 1).dp, s.precision ?? 6, upper)
    case 'f':
    case 'F': {
      const decimals = s.precision ?? 6
      // toFixed rounds the exact binary value; above 1e21 it switches to exponent form, which Go never does.
      const text = abs < 1e21 ? abs.toFixed(decimals) : fmtF(digitsOf(abs, undefined).digits, digitsOf(abs, undefined).dp, decimals)
      return lead + text
    }
    default: {
      // strconv 'g': shortest digits when no precision (deciding on exponent form as if it were 6).
      const shortest = s.precision === undefined
      const prec = shortest ? undefined : Math.max(1, s.precision ?? 1)
      const { digits, dp } = digitsOf(abs, prec)
      const nd = Math.max(digits.length, 1)
      let eprec = prec ?? nd
      if (!shortest && eprec > nd && nd >= dp) eprec = nd
      if (shortest) eprec = 6
      const exp = dp - 1
      let p = prec ?? nd
      if (abs !== 0 && (exp < -4 || exp >= eprec)) {
        if (p > nd) p = nd
        return lead + fmtE(digits, dp, p - 1, upper)
      }
      if (p > dp) p = nd
      return lead + fmtF(digits, dp, Math.max(p - dp, 0))
    }
  }
}
