/** A config file's bytes as text, before the scanner (lexer.ts) reads it. */
import { DiagnosticError } from './diagnostics.js'

const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * A config file's bytes as text. Invalid UTF-8 is a positioned error (a DiagnosticError) rather than
 * a silent U+FFFD that would end up in a label or a URL. A leading byte order mark is dropped.
 */
export function decodeConfigBytes(bytes: Uint8Array, fileName: string): string {
  try {
    return strictUtf8.decode(bytes)
  } catch {
    const offset = firstInvalidUtf8(bytes)
    // Everything before the bad byte is valid: its text gives the position in the lexer's units.
    const before = strictUtf8.decode(bytes.subarray(0, offset)).replace(/^\uFEFF/, '')
    const lineStart = before.lastIndexOf('\n') + 1
    const line = before.split('\n').length
    const column = before.length - lineStart + 1
    const position = { offset: before.length, line, column }
    const byte = (bytes[offset] ?? 0).toString(16).padStart(2, '0')
    throw new DiagnosticError([
      { span: { file: fileName, start: position, end: position }, message: `invalid UTF-8 (byte 0x${byte} at byte offset ${offset}): a config must be UTF-8 text` }
    ])
  }
}

/** The byte offset of the first byte that does not start a well-formed UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i] as number
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1
    if (need < 0) return i
    if (need > 0) {
      try {
        strictUtf8.decode(bytes.subarray(i, i + need + 1))
      } catch {
        return i
      }
    }
    i += need + 1
  }
  return i
}
