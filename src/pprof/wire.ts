/**
 * A bounds-checked walk over the top-level fields of a pprof `Profile` message. pprof-format's decoder
 * is lenient: a truncated length-delimited field or a wrong wire type decodes into a silently partial
 * profile. Walking the top level first (no allocation, one pass) turns those into precise reasons
 * before decoding.
 */

const WIRE_VARINT = 0
const WIRE_LEN = 2

/** profile.proto field number → name and the wire types Go's encoders produce for it. */
const PROFILE_FIELDS: ReadonlyMap<number, { name: string; wire: readonly number[] }> = new Map([
  [1, { name: 'sample_type', wire: [WIRE_LEN] }],
  [2, { name: 'sample', wire: [WIRE_LEN] }],
  [3, { name: 'mapping', wire: [WIRE_LEN] }],
  [4, { name: 'location', wire: [WIRE_LEN] }],
  [5, { name: 'function', wire: [WIRE_LEN] }],
  [6, { name: 'string_table', wire: [WIRE_LEN] }],
  [7, { name: 'drop_frames', wire: [WIRE_VARINT] }],
  [8, { name: 'keep_frames', wire: [WIRE_VARINT] }],
  [9, { name: 'time_nanos', wire: [WIRE_VARINT] }],
  [10, { name: 'duration_nanos', wire: [WIRE_VARINT] }],
  [11, { name: 'period_type', wire: [WIRE_LEN] }],
  [12, { name: 'period', wire: [WIRE_VARINT] }],
  // repeated int64: packed (LEN) or one varint per element.
  [13, { name: 'comment', wire: [WIRE_VARINT, WIRE_LEN] }],
  [14, { name: 'default_sample_type', wire: [WIRE_VARINT] }],
  [15, { name: 'doc_url', wire: [WIRE_VARINT] }]
])

/**
 * Returns why `data` is not a well-formed top-level Profile message, or undefined when it is. With
 * `partial`, `data` is the start of a message still being inflated: a field it ends inside is no problem.
 */
export function scanProfileFields(data: Uint8Array, partial = false): string | undefined {
  let offset = 0
  while (offset < data.length) {
    const tag = readVarint(data, offset)
    if (tag === undefined) return partial ? undefined : `truncated field tag at offset ${offset}`
    const fieldNumber = Math.floor(tag.value / 8)
    const wireType = tag.value % 8
    const problem = topLevelFieldProblem(fieldNumber, wireType, offset)
    if (problem !== undefined) return problem
    const field = PROFILE_FIELDS.get(fieldNumber) as { name: string }
    offset = tag.next
    if (wireType === WIRE_VARINT) {
      const value = readVarint(data, offset)
      if (value === undefined) return partial ? undefined : `field ${fieldNumber} (${field.name}) is truncated at offset ${offset}`
      offset = value.next
      continue
    }
    const length = readVarint(data, offset)
    if (length === undefined) return partial ? undefined : `field ${fieldNumber} (${field.name}) has a truncated length at offset ${offset}`
    const end = length.next + length.value
    if (end > data.length) {
      if (partial) return undefined
      return `field ${fieldNumber} (${field.name}) is truncated: ${length.value} bytes declared at offset ${offset}, ${data.length - length.next} present`
    }
    offset = end
  }
  return undefined
}

/** Bit `w` of entry `n`: field `n` may have wire type `w` (the budget walk asks once per field). */
const ALLOWED_WIRE_TYPES = Uint8Array.from({ length: 16 }, (_, n) => (PROFILE_FIELDS.get(n)?.wire ?? []).reduce((bits, w) => bits | (1 << w), 0))

/** Why a top-level field of this number and wire type cannot be in a Profile, or undefined. */
export function topLevelFieldProblem(fieldNumber: number, wireType: number, offset: number): string | undefined {
  if ((((ALLOWED_WIRE_TYPES[fieldNumber] ?? 0) >> wireType) & 1) === 1) return undefined
  const field = PROFILE_FIELDS.get(fieldNumber)
  if (field === undefined) return `unknown field ${fieldNumber} (wire type ${wireType}) at offset ${offset}`
  if (!field.wire.includes(wireType)) {
    return `field ${fieldNumber} (${field.name}) has wire type ${wireType}, expected ${field.wire.join(' or ')}, at offset ${offset}`
  }
  return undefined
}

/**
 * Reads a varint of at most 10 bytes. Values above 2^53 lose precision, which only matters for lengths
 * and tags, where such values are invalid anyway (they exceed any buffer).
 */
function readVarint(data: Uint8Array, offset: number): { value: number; next: number } | undefined {
  let value = 0
  let scale = 1
  for (let i = 0; i < 10; i++) {
    const b = data[offset + i]
    if (b === undefined) return undefined
    value += (b & 0x7f) * scale
    scale *= 128
    if (b < 0x80) return { value, next: offset + i + 1 }
  }
  return undefined
}
