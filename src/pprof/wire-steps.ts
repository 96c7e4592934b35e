/**
 * Bounds-checked steps over protobuf wire format for the budget walk (budget.ts): nothing is allocated,
 * and running out of bytes (INCOMPLETE: more may still be inflated) is told apart from bytes that are wrong.
 */

/** How many times length-delimited field `wanted` occurs in [start, end); -1 when malformed. */
export function countField(raw: Uint8Array, start: number, end: number, wanted: number): number {
  const cursor = { pos: start }
  let n = 0
  while (cursor.pos < end) {
    const tag = readVarint(raw, cursor, end)
    if (tag < 0) return -1
    if (Math.floor(tag / 8) === wanted && (tag & 7) === 2) n++
    if (skip(raw, cursor, tag & 7, end) !== SKIPPED) return -1
  }
  return n
}

/** Varints in a packed run: one per byte without the continuation bit. */
export function countVarints(raw: Uint8Array, start: number, end: number): number {
  let n = 0
  for (let i = start; i < end; i++) if ((raw[i] as number) < 0x80) n++
  return n
}

export const SKIPPED = 0
/** What readVarint and skip answer when the bytes end first: more may come (see ProfileMeter.feed). */
export const INCOMPLETE = -2

/**
 * Moves past one field's value of wire type `wire`, within `raw[0, end)`: SKIPPED, INCOMPLETE when it runs
 * past `end`, or -1 when the wire type is invalid or a varint too long. The cursor is undefined unless SKIPPED.
 */
export function skip(raw: Uint8Array, cursor: { pos: number }, wire: number, end: number): number {
  switch (wire) {
    case 0: {
      const value = readVarint(raw, cursor, end)
      return value < 0 ? value : SKIPPED
    }
    case 1:
    case 5:
      cursor.pos += wire === 1 ? 8 : 4
      return cursor.pos <= end ? SKIPPED : INCOMPLETE
    case 2: {
      const length = readVarint(raw, cursor, end)
      if (length < 0) return length
      cursor.pos += length
      return cursor.pos <= end ? SKIPPED : INCOMPLETE
    }
    default:
      return -1
  }
}

/**
 * A varint of at most 10 bytes within `raw[0, end)`; INCOMPLETE when the bytes end first, -1 when it is
 * longer. Values past 2^53 lose precision (harmless here).
 */
export function readVarint(raw: Uint8Array, cursor: { pos: number }, end: number): number {
  let value = 0
  let scale = 1
  for (let i = 0; i < 10; i++) {
    const at = cursor.pos + i
    if (at >= end) return INCOMPLETE
    const b = raw[at] as number
    value += (b & 0x7f) * scale
    scale *= 128
    if (b < 0x80) {
      cursor.pos = at + 1
      return value
    }
  }
  return -1
}
