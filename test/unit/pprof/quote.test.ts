import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { goQuote } from '../../../src/pprof/quote.js'

describe('goQuote', () => {
  const cases: [string, Uint8Array, string][] = [
    ['plain ASCII', Buffer.from('hello'), '"hello"'],
    ['quotes and backslashes', Buffer.from('a"b\\c'), '"a\\"b\\\\c"'],
    ['Go escapes for control characters', Buffer.from('\x07\b\f\n\r\t\v'), '"\\a\\b\\f\\n\\r\\t\\v"'],
    ['other control bytes as \\x', Buffer.from([0x00, 0x1b, 0x7f]), '"\\x00\\x1b\\x7f"'],
    ['printable UTF-8 as is', Buffer.from('值🚀'), '"值🚀"'],
    ['invalid UTF-8 byte by byte', Buffer.from([0x61, 0xff, 0xfe, 0x62]), '"a\\xff\\xfeb"'],
    ['a rune cut at the end', Buffer.from('值').subarray(0, 2), '"\\xe5\\x80"'],
    ['a C1 control as \\u', Buffer.from('\u0085'), '"\\u0085"']
  ]
  for (const [name, bytes, expected] of cases) {
    it(`quotes ${name} as strconv.Quote does`, () => {
      assert.equal(goQuote(bytes), expected)
    })
  }
})
