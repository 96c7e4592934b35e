/**
 * What one push request may hold (docs/hostile-input.md, "Receiver"). The counts are taken by a walk
 * over the wire format before anything is decoded, so 4 MB of empty series (`0a 00` × 2 M) is refused
 * after one pass over the bytes instead of becoming two million objects. Label rules follow Pyroscope's
 * ingestion defaults (value length 2048, name length 1024, 30 labels per series).
 */

export interface PushLimits {
  readonly maxSeries: number
  /** raw_profile entries, over all series. */
  readonly maxProfiles: number
  /** Bytes of label names and values, over all series. */
  readonly maxLabelBytes: number
  readonly maxLabelsPerSeries: number
  readonly maxLabelNameLength: number
  readonly maxLabelValueLength: number
}

export const DEFAULT_PUSH_LIMITS: PushLimits = Object.freeze({
  maxSeries: 1000,
  maxProfiles: 1000,
  maxLabelBytes: 1024 * 1024,
  maxLabelsPerSeries: 30,
  maxLabelNameLength: 1024,
  maxLabelValueLength: 2048
})

/**
 * Counts series, profiles and label bytes of a PushRequest; a reason when a count passes its limit.
 * Malformed bytes are left to the decoder, which words them precisely.
 */
export function checkPushCounts(body: Uint8Array, limits: PushLimits = DEFAULT_PUSH_LIMITS): string | undefined {
  let series = 0
  let profiles = 0
  let labelBytes = 0
  const top = { pos: 0 }
  while (top.pos < body.length) {
    const field = readField(body, top, body.length)
    if (field === undefined) return undefined
    if (field.number !== 1 || field.wire !== 2) continue
    if (++series > limits.maxSeries) return `the request holds more than ${limits.maxSeries} series, the limit per request`
    const inner = { pos: field.start }
    let labels = 0
    while (inner.pos < field.end) {
      const f = readField(body, inner, field.end)
      if (f === undefined) return undefined
      if (f.wire !== 2) continue
      if (f.number === 1) {
        labels++
        labelBytes += f.end - f.start
      } else if (f.number === 2 && ++profiles > limits.maxProfiles) {
        return `the request holds more than ${limits.maxProfiles} profiles, the limit per request`
      }
    }
    if (labels > limits.maxLabelsPerSeries) {
      return `series ${series - 1} has ${labels} labels, more than the limit of ${limits.maxLabelsPerSeries}`
    }
    if (labelBytes > limits.maxLabelBytes) return `the request's labels take more than ${limits.maxLabelBytes} bytes, the limit per request`
  }
  return undefined
}

/**
 * The label rules the wire walk cannot see: lengths, NUL bytes, a service_name. With `nameIsService`
 * (Alloy's ensureServiceName applies next) a `__name__` will become the service_name and is enough.
 */
export function checkSeriesLabels(labels: readonly (readonly [string, string])[], limits: PushLimits = DEFAULT_PUSH_LIMITS, nameIsService = false): string | undefined {
  let service = ''
  for (const [name, value] of labels) {
    if (name.length > limits.maxLabelNameLength) {
      return `label name ${JSON.stringify(name.slice(0, 64))}… is longer than ${limits.maxLabelNameLength} characters`
    }
    if (value.length > limits.maxLabelValueLength) {
      return `label ${name} has a value of ${value.length} characters, more than the limit of ${limits.maxLabelValueLength}`
    }
    if (value.includes('\0')) return `label ${name} has a NUL byte in its value`
    if (name === 'service_name' || (nameIsService && name === '__name__' && service === '')) service = value
  }
  return service === '' ? 'a service_name label is required' : undefined
}

interface Field {
  readonly number: number
  readonly wire: number
  /** For a length-delimited field: where its bytes start and end. */
  readonly start: number
  readonly end: number
}

function readField(data: Uint8Array, cursor: { pos: number }, limit: number): Field | undefined {
  const tag = readVarint(data, cursor, limit)
  if (tag === undefined) return undefined
  const wire = tag & 7
  const number = Math.floor(tag / 8)
  let start = cursor.pos
  let end = start
  switch (wire) {
    case 0:
      if (readVarint(data, cursor, limit) === undefined) return undefined
      end = cursor.pos
      break
    case 1:
      end = start + 8
      break
    case 2: {
      const length = readVarint(data, cursor, limit)
      if (length === undefined) return undefined
      start = cursor.pos
      end = start + length
      break
    }
    case 5:
      end = start + 4
      break
    default:
      return undefined
  }
  if (end > limit) return undefined
  cursor.pos = end
  return { number, wire, start, end }
}

function readVarint(data: Uint8Array, cursor: { pos: number }, limit: number): number | undefined {
  let value = 0
  let scale = 1
  for (let i = 0; i < 10 && cursor.pos + i < limit; i++) {
    const b = data[cursor.pos + i] as number
    value += (b & 0x7f) * scale
    scale *= 128
    if (b < 0x80) {
      cursor.pos += i + 1
      return value
    }
  }
  return undefined
}
