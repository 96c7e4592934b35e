/**
 * Target keys and member tokens, byte-compatible with Alloy.
 *
 * A target's key is xxhash64 over Prometheus' StableHash bytes (`name 0xff value 0xff …`, names sorted
 * bytewise), excluding `__meta_*` labels (Alloy `discovery.Target.NonMetaLabelsHash`). Keeping the exact
 * bytes means a shardscope node and an Alloy node agree on what a target's key is, and the pinned test
 * vectors of Alloy's `TestHashing` hold here too (docs/scrape-timing.md "Target keys").
 *
 * xxhash-wasm needs an async instantiation, so everything that hashes goes through a `KeyHasher` created
 * once at start-up and passed down; the ring and the target rules stay synchronous and pure. Target
 * expansion, the cluster's ring and the CLI all hash labels, so this lives beside the label type rather than
 * in any one of them.
 */
import xxhash from 'xxhash-wasm'
import type { Labels } from './labels.js'

export interface KeyHasher {
  /** Ring key of an input target: StableHash of every label except `__meta_*`. */
  targetKey(labels: Labels): bigint
  /** Prometheus `labels.StableHash` over every label. */
  stableHash(labels: Labels): bigint
  /** Alloy `SpecificLabelsHash`: StableHash over the labels named in `names` (in sorted order). */
  specificLabelsHash(labels: Labels, names: readonly string[]): bigint
  /**
   * Alloy/ckit ring tokens of a member: token t = xxhash64(name, bytes 0, 1, …, t), the byte being
   * t mod 256 (cumulative prefix, as ckit feeds one digest).
   */
  memberTokens(name: string, count: number): BigUint64Array
}

const META_PREFIX = '__meta_'
const SEPARATOR = 0xff
const encoder = new TextEncoder()

/**
 * Orders strings as Go does (bytewise over UTF-8). JS `<` compares UTF-16 code units, which differs
 * only when a surrogate (an astral character) meets a code unit in U+E000–U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i)
    const y = b.charCodeAt(i)
    if (x !== y) return utf8Rank(x) - utf8Rank(y)
  }
  return a.length - b.length
}

/** Moves surrogates above U+E000–U+FFFF, where their UTF-8 encodings sort. */
function utf8Rank(codeUnit: number): number {
  if (codeUnit >= 0xd800 && codeUnit <= 0xdfff) return codeUnit + 0x2000
  if (codeUnit >= 0xe000) return codeUnit - 0x800
  return codeUnit
}

/** StableHash input bytes for the given label names (already sorted) of `labels`. */
export function stableHashBytes(labels: Labels, sortedNames: readonly string[]): Uint8Array {
  const bytes = new Uint8Array(stableHashSize(labels, sortedNames))
  return bytes.subarray(0, writeStableHashBytes(labels, sortedNames, bytes))
}

/** Room for the StableHash bytes: 3 bytes per UTF-16 code unit at most, and the separators. */
function stableHashSize(labels: Labels, sortedNames: readonly string[]): number {
  let size = 0
  for (const name of sortedNames) size += (name.length + (labels[name] ?? '').length) * 3 + 2
  return size
}

/** Writes the StableHash bytes into `bytes` (large enough: stableHashSize); returns their length. */
function writeStableHashBytes(labels: Labels, sortedNames: readonly string[], bytes: Uint8Array): number {
  let at = 0
  for (const name of sortedNames) {
    at = writeUtf8(name, bytes, at)
    bytes[at++] = SEPARATOR
    at = writeUtf8(labels[name] ?? '', bytes, at)
    bytes[at++] = SEPARATOR
  }
  return at
}

/** Writes `text` as UTF-8 at `at` (room for 3 bytes per code unit is there); returns the end. */
function writeUtf8(text: string, bytes: Uint8Array, at: number): number {
  // Label names and values are nearly always ASCII: copied directly, without a subarray per string.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c >= 0x80) return at + encoder.encodeInto(text, bytes.subarray(at)).written
    bytes[at + i] = c
  }
  return at + text.length
}

export async function createKeyHasher(): Promise<KeyHasher> {
  const { h64Raw, create64 } = await xxhash()
  // One buffer for every hash (h64Raw copies the bytes into the wasm memory): a 10,000-target config
  // hashes 20,000 label sets per expansion, and an ArrayBuffer each was a large part of its cost.
  let scratch = new Uint8Array(1024)
  const hashNames = (labels: Labels, names: string[]): bigint => {
    names.sort(compareUtf8)
    const size = stableHashSize(labels, names)
    if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2))
    return h64Raw(scratch.subarray(0, writeStableHashBytes(labels, names, scratch)))
  }

  return {
    targetKey: (labels) => hashNames(labels, Object.keys(labels).filter((n) => !n.startsWith(META_PREFIX))),
    stableHash: (labels) => hashNames(labels, Object.keys(labels)),
    specificLabelsHash: (labels, names) =>
      hashNames(labels, Object.keys(labels).filter((n) => names.includes(n))),
    memberTokens: (name, count) => {
      const tokens = new BigUint64Array(count)
      const digest = create64().update(name)
      const oneByte = new Uint8Array(1)
      for (let t = 0; t < count; t++) {
        oneByte[0] = t & 0xff
        // digest() leaves the running state untouched, so the prefix keeps growing by one byte.
        tokens[t] = digest.update(oneByte).digest()
      }
      return tokens
    }
  }
}

/**
 * FNV-1a 64 (Go `hash/fnv` New64a) over the UTF-8 bytes of `text`, computed in four 16-bit limbs so
 * the hot path (one call per scrape target on every reconcile) avoids BigInt arithmetic.
 */
export function fnv1a64(text: string): bigint {
  const [h0, h1, h2, h3] = fnvUpdate(FNV_OFFSET_BASIS, text)
  return (BigInt(h3) << 48n) | (BigInt(h2) << 32n) | (BigInt(h1) << 16n) | BigInt(h0)
}

/** An FNV-1a 64 state: four 16-bit limbs, low first. */
export type FnvState = readonly [number, number, number, number]

/** 0xcbf29ce484222325. */
export const FNV_OFFSET_BASIS: FnvState = Object.freeze([0x2325, 0x8422, 0x9ce4, 0xcbf2] as const)

/**
 * The state after hashing `text` (its UTF-8 bytes) from `state`: hashing `a` and then `b` is hashing
 * `a + b`, so a prefix shared by many texts is hashed once.
 */
export function fnvUpdate(state: FnvState, text: string): FnvState {
  let [h0, h1, h2, h3] = state
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    // Not ASCII: the text's UTF-8 bytes differ from its code units.
    if (c >= 0x80) return fnvUpdateBytes(state, encoder.encode(text))
    h0 ^= c
    // Multiply by the prime 2^40 + 0x1b3: h*0x1b3 plus h shifted left by 40 bits (2 limbs + 8 bits).
    const t0 = h0 * 0x1b3
    const t1 = h1 * 0x1b3 + (t0 >>> 16)
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16)
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16)
    h0 = t0 & 0xffff
    h1 = t1 & 0xffff
    h2 = t2 & 0xffff
    h3 = t3 & 0xffff
  }
  return [h0, h1, h2, h3]
}

function fnvUpdateBytes(state: FnvState, bytes: Uint8Array): FnvState {
  let [h0, h1, h2, h3] = state
  for (const byte of bytes) {
    h0 ^= byte
    const t0 = h0 * 0x1b3
    const t1 = h1 * 0x1b3 + (t0 >>> 16)
    const t2 = h2 * 0x1b3 + (h0 << 8) + (t1 >>> 16)
    const t3 = h3 * 0x1b3 + (h1 << 8) + (t2 >>> 16)
    h0 = t0 & 0xffff
    h1 = t1 & 0xffff
    h2 = t2 & 0xffff
    h3 = t3 & 0xffff
  }
  return [h0, h1, h2, h3]
}

/** The hash as 16 lowercase hex digits, zero-padded (one flat string: it is kept per scrape). */
export function fnvHex(state: FnvState): string {
  const [h0, h1, h2, h3] = state
  const d = (limb: number, shift: number): number => HEX_DIGITS[(limb >>> shift) & 0xf] as number
  return String.fromCharCode(
    d(h3, 12), d(h3, 8), d(h3, 4), d(h3, 0),
    d(h2, 12), d(h2, 8), d(h2, 4), d(h2, 0),
    d(h1, 12), d(h1, 8), d(h1, 4), d(h1, 0),
    d(h0, 12), d(h0, 8), d(h0, 4), d(h0, 0)
  )
}

/** `fnv1a64(text)` as 16 lowercase hex digits (zero-padded), without a BigInt. */
export function fnv1a64Hex(text: string): string {
  return fnvHex(fnvUpdate(FNV_OFFSET_BASIS, text))
}

const HEX_DIGITS: readonly number[] = Array.from('0123456789abcdef', (c) => c.charCodeAt(0))

/** Lowercase hex without padding, as Go `strconv.FormatUint(x, 16)`. */
export function formatHex(value: bigint): string {
  return value.toString(16)
}
