/**
 * Alloy's cheap checks on a scraped body, before any decoding (`scrape/validate.go`, alloy#4190):
 * they turn "proto: wrong wireType" errors deep in Pyroscope (alloy#4622, pyroscope#3317) into a
 * message that says what the target answered. Messages are Alloy's, word for word, so that users and
 * dashboards see the same text (docs/alloy-compatibility.md "Scrape").
 */
import { goQuote } from './quote.js'

export interface ProfileProblem {
  readonly code: string
  readonly reason: string
}

const TEXT_PREVIEW_BYTES = 50
const HEX_PREVIEW_BYTES = 16
/** Alloy only looks this far for the first non-whitespace character of a JSON body. */
const JSON_SNIFF_BYTES = 64

/** Runs Alloy's checks in Alloy's order; undefined means the bytes may be pprof. */
export function precheckProfile(body: Uint8Array, contentType: string | undefined): ProfileProblem | undefined {
  if (body.length === 0) return { code: 'PPROF_EMPTY', reason: 'empty response from profiling endpoint' }
  if (contentType === undefined || contentType === '') {
    return { code: 'PPROF_MISSING_CONTENT_TYPE', reason: 'missing Content-Type header' }
  }
  // Case-sensitive prefix, as Go's strings.HasPrefix in Alloy.
  if (!contentType.startsWith('application/octet-stream')) {
    return {
      code: 'PPROF_UNEXPECTED_CONTENT_TYPE',
      reason: `unexpected Content-Type ${contentType}, expected application/octet-stream for pprof data`
    }
  }
  if (isTextContent(body)) {
    const preview = goQuote(body.subarray(0, TEXT_PREVIEW_BYTES))
    return {
      code: 'PPROF_TEXT_RESPONSE',
      reason: `text response instead of pprof: ${preview} (server should return HTTP error, not 200)`
    }
  }
  if (body.length <= 2) return { code: 'PPROF_TOO_SHORT', reason: 'data too short for pprof format' }
  const first = body[0] ?? 0
  if (!isGzip(body) && (first & 0x07) >= 6) {
    const hex = Buffer.from(body.subarray(0, HEX_PREVIEW_BYTES)).toString('hex')
    return {
      code: 'PPROF_ILLEGAL_WIRE_TYPE',
      reason: `invalid protobuf data: illegal wireType ${first & 0x07} (expected 0-5), first bytes: ${hex}`
    }
  }
  return undefined
}

export function isGzip(body: Uint8Array): boolean {
  return body.length >= 2 && body[0] === 0x1f && body[1] === 0x8b
}

/** Alloy's heuristic for an error page served with status 200: HTML, or JSON longer than 20 bytes. */
export function isTextContent(body: Uint8Array): boolean {
  if (body.length < 10) return false
  if (hasHtmlPrefix(body)) return true
  const first = firstNonWhitespace(body, JSON_SNIFF_BYTES)
  return (first === 0x7b /* { */ || first === 0x5b) /* [ */ && body.length > 20
}

function hasHtmlPrefix(body: Uint8Array): boolean {
  let start = 0
  while (start < body.length && isWhitespace(body[start] ?? 0)) start++
  if (body[start] !== 0x3c /* < */) return false
  const rest = body.length - start
  const second = body[start + 1] ?? 0
  const third = body[start + 2] ?? 0
  if (rest >= 9 && second === 0x21 /* ! */ && (third === 0x44 || third === 0x64) /* D d */) return true
  if (rest >= 5) {
    const lower = second | 0x20
    return lower === 0x68 /* h */ || lower === 0x62 /* b */ || lower === 0x74 /* t */
  }
  return false
}

function firstNonWhitespace(body: Uint8Array, within: number): number {
  for (let i = 0; i < body.length && i < within; i++) {
    const c = body[i] ?? 0
    if (!isWhitespace(c)) return c
  }
  return 0
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d
}
