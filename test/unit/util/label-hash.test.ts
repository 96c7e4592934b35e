import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import { compareUtf8, createKeyHasher, fnv1a64, fnv1a64Hex, FNV_OFFSET_BASIS, fnvHex, fnvUpdate, stableHashBytes, type KeyHasher } from '../../../src/util/label-hash.js'

/** Builds the label sets of Alloy's TestHashing: ten labels per generator. */
function generated(...generators: ((i: number) => [string, string])[]): Record<string, string> {
  const labels: Record<string, string> = {}
  for (const generate of generators) {
    for (let i = 0; i < 10; i++) {
      const [name, value] = generate(i)
      labels[name] = value
    }
  }
  return labels
}

describe('KeyHasher', () => {
  let hasher: KeyHasher
  before(async () => {
    hasher = await createKeyHasher()
  })

  it('hashes label_0..label_9 = value_0..value_9 to Alloy pinned 0xa28155048ff30d6f', () => {
    const labels = generated((i) => [`label_${i}`, `value_${i}`])
    assert.equal(hasher.stableHash(labels), 0xa28155048ff30d6fn)
    assert.equal(hasher.targetKey(labels), 0xa28155048ff30d6fn)
  })

  it('ignores __meta_* labels in the target key (Alloy NonMeta vector 0x77c5d28715ca6a11)', () => {
    for (let target = 0; target < 3; target++) {
      const labels = generated(
        (i) => [`__meta_t${target}_l${i}`, `${target}_${i}`],
        (i) => [`label_${i}`, `val_${i}`]
      )
      assert.equal(hasher.targetKey(labels), 0x77c5d28715ca6a11n)
      assert.notEqual(hasher.stableHash(labels), 0x77c5d28715ca6a11n)
    }
  })

  it('hashes the named subset [foo, bin] in sorted order (Alloy SpecificLabels 0xbbbe498586b668f3)', () => {
    for (let target = 0; target < 3; target++) {
      const labels = generated(
        (i) => [`t${target}_l${i}`, `${target}_${i}`],
        () => ['foo', 'bar'],
        () => ['bin', 'baz']
      )
      assert.equal(hasher.specificLabelsHash(labels, ['foo', 'bin']), 0xbbbe498586b668f3n)
    }
  })

  it('gives the same key whatever the order the labels were inserted in', () => {
    const a = { b: '2', a: '1', __address__: 'x:1' }
    const b = { __address__: 'x:1', a: '1', b: '2' }
    assert.equal(hasher.targetKey(a), hasher.targetKey(b))
  })

  it('makes member tokens from a growing byte prefix, as ckit does', async () => {
    const tokens = hasher.memberTokens('node-a', 300)
    const { h64Raw } = await (await import('xxhash-wasm')).default()
    const name = new TextEncoder().encode('node-a')
    for (const t of [0, 1, 255, 256, 299]) {
      const bytes = new Uint8Array(name.length + t + 1)
      bytes.set(name)
      for (let i = 0; i <= t; i++) bytes[name.length + i] = i & 0xff
      assert.equal(tokens[t], h64Raw(bytes), `token ${t}`)
    }
  })
})

describe('stableHashBytes', () => {
  it('writes name 0xff value 0xff for each label, in the order given', () => {
    const bytes = stableHashBytes({ a: 'x', b: 'é' }, ['a', 'b'])
    assert.deepEqual([...bytes], [0x61, 0xff, 0x78, 0xff, 0x62, 0xff, 0xc3, 0xa9, 0xff])
  })

  it('encodes a value whose non-ASCII character comes after ASCII ones, and what follows it', () => {
    const bytes = stableHashBytes({ a: 'xé🚀', b: 'y' }, ['a', 'b'])
    assert.deepEqual([...bytes], [0x61, 0xff, 0x78, 0xc3, 0xa9, 0xf0, 0x9f, 0x9a, 0x80, 0xff, 0x62, 0xff, 0x79, 0xff])
  })
})

describe('compareUtf8', () => {
  it('sorts an astral character after U+FFFD, as UTF-8 bytes do', () => {
    assert.ok(compareUtf8('\u{1F680}', '\uFFFD') > 0)
    assert.ok('\u{1F680}' < '\uFFFD') // the UTF-16 order it corrects
    assert.ok(compareUtf8('a', 'b') < 0)
    assert.ok(compareUtf8('ab', 'a') > 0)
    assert.equal(compareUtf8('same', 'same'), 0)
  })
})

describe('fnv1a64', () => {
  it('matches the FNV-1a 64 reference values', () => {
    assert.equal(fnv1a64(''), 0xcbf29ce484222325n)
    assert.equal(fnv1a64('a'), 0xaf63dc4c8601ec8cn)
    assert.equal(fnv1a64('foobar'), 0x85944171f73967e8n)
  })

  it('matches a BigInt reference implementation on UTF-8 input', () => {
    const reference = (text: string): bigint => {
      let h = 0xcbf29ce484222325n
      for (const byte of new TextEncoder().encode(text)) {
        h ^= BigInt(byte)
        h = (h * 0x100000001b3n) & 0xffffffffffffffffn
      }
      return h
    }
    for (const text of ['http://localhost:9090/debug/pprof/allocs', 'valid-utf8-值-🚀', 'x'.repeat(1000)]) {
      assert.equal(fnv1a64(text), reference(text))
    }
  })

  it('fnv1a64Hex is the same hash as 16 zero-padded hex digits, and fnvUpdate continues a prefix', () => {
    for (const text of ['', 'a', 'foobar', 'valid-utf8-值-🚀', ...Array.from({ length: 300 }, (_, i) => `t${i}`)]) {
      assert.equal(fnv1a64Hex(text), fnv1a64(text).toString(16).padStart(16, '0'))
    }
    for (const [a, b] of [['', ''], ['abc', 'def'], ['値', 'x'], ['x', '🚀y']] as const) {
      assert.equal(fnvHex(fnvUpdate(fnvUpdate(FNV_OFFSET_BASIS, a), b)), fnv1a64Hex(a + b), `${a} then ${b}`)
    }
    // Some of those hashes start with a zero digit, so the padding is exercised.
    assert.ok(Array.from({ length: 300 }, (_, i) => fnv1a64Hex(`t${i}`)).some((h) => h.startsWith('0')))
  })
})
