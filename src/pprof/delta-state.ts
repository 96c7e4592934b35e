/**
 * The totals one delta target keeps between scrapes, packed into one flat buffer: per sample its 16-byte
 * identity (sample-key.ts) and its cumulative values as int64. The buffer is a SharedArrayBuffer, so the
 * profile check worker reads the previous totals and hands back the next ones without a copy either way,
 * and the scrape loop's thread only keeps a reference (docs/hostile-input.md, "Work off the event loop").
 * Nothing writes to a packed baseline once it is built.
 */
import { KEY_BYTES } from './sample-key.js'

export interface PackedBaseline {
  /** Entries of KEY_BYTES key bytes, then `width` little-endian int64 values. */
  readonly bytes: Uint8Array
  /** Values per entry: the subtracted value types found in that scrape. */
  readonly width: number
  /** time_nanos of the scrape the totals come from. */
  readonly timeNanos: bigint
}

const VALUE_BYTES = 8

/** Bytes one entry of `width` values takes in a packed baseline. */
export function packedEntryBytes(width: number): number {
  return KEY_BYTES + VALUE_BYTES * width
}

/** Packs `count` entries of `width` values each (keys are KEY_BYTES one-byte characters). */
export function packBaseline(entries: Iterable<readonly [string, readonly bigint[]]>, count: number, width: number, timeNanos: bigint): PackedBaseline {
  const stride = packedEntryBytes(width)
  const shared = new SharedArrayBuffer(count * stride)
  const bytes = Buffer.from(shared)
  const view = new DataView(shared)
  let offset = 0
  for (const [key, values] of entries) {
    bytes.write(key, offset, KEY_BYTES, 'latin1')
    for (let i = 0; i < width; i++) view.setBigInt64(offset + KEY_BYTES + VALUE_BYTES * i, values[i] ?? 0n, true)
    offset += stride
  }
  return { bytes: new Uint8Array(shared), width, timeNanos }
}

/** Looks up an entry's values by key; builds its index once (one pass over the entries). */
export function baselineReader(baseline: PackedBaseline): (key: string) => bigint[] | undefined {
  const { bytes, width } = baseline
  const stride = KEY_BYTES + VALUE_BYTES * width
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const offsets = new Map<string, number>()
  for (let offset = 0; offset + stride <= bytes.byteLength; offset += stride) {
    offsets.set(text.toString('latin1', offset, offset + KEY_BYTES), offset + KEY_BYTES)
  }
  return (key) => {
    const at = offsets.get(key)
    if (at === undefined) return undefined
    const values: bigint[] = []
    for (let i = 0; i < width; i++) values.push(view.getBigInt64(at + VALUE_BYTES * i, true))
    return values
  }
}
