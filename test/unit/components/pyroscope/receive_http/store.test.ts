import { describe, it } from 'node:test'
import type { TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { appendFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { INDEX_FILE, ProfileStore, readIndex } from '../../../../../src/components/pyroscope/receive_http/store.js'
import type { Clock } from '../../../../../src/util/clock.js'
import { tinyProfile } from '../../../../helpers/receiver.js'

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shardscope-store-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

const fixedClock = (ms: number): Clock => ({ now: () => ms, sleep: () => Promise.resolve() })

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

describe('ProfileStore', () => {
  it('writes each profile to its own file and an index line whose bytes and sha256 match the file', async (t) => {
    const dir = await tempDir(t)
    const at = Date.UTC(2025, 0, 2, 3, 4, 5, 678)
    const store = new ProfileStore(dir, { clock: fixedClock(at) })
    const gz = tinyProfile({ value: 1 })
    const plain = tinyProfile({ value: 2, gzip: false })
    await store.write({ service_name: 'a', __name__: 'process_cpu' }, gz)
    await store.write({ service_name: 'b' }, plain)

    const entries = await readIndex(dir)
    assert.equal(entries.length, 2)
    assert.equal(entries[0]?.time, '2025-01-02T03:04:05.678Z')
    assert.deepEqual(entries[0]?.labels, { service_name: 'a', __name__: 'process_cpu' })
    assert.match(entries[0]?.file ?? '', /^profiles\/2025-01-02\/1735787045678-[0-9a-f]{16}-\d+\.pb\.gz$/)
    assert.match(entries[1]?.file ?? '', /\.pb$/)
    for (const [entry, raw] of [
      [entries[0], gz],
      [entries[1], plain]
    ] as const) {
      assert.ok(entry !== undefined)
      const onDisk = await readFile(join(dir, entry.file))
      assert.deepEqual(onDisk, raw)
      assert.equal(entry.bytes, raw.byteLength)
      assert.equal(entry.sha256, sha256(onDisk))
    }
  })

  it('leaves no temporary file behind', async (t) => {
    const dir = await tempDir(t)
    const store = new ProfileStore(dir, { clock: fixedClock(Date.UTC(2025, 5, 1)) })
    await store.write({ service_name: 'a' }, tinyProfile())
    const files = await readdir(join(dir, 'profiles', '2025-06-01'))
    assert.equal(files.length, 1)
    assert.ok(!files[0]?.endsWith('.tmp'))
  })

  it('keeps every index line whole under concurrent writes', async (t) => {
    const dir = await tempDir(t)
    const store = new ProfileStore(dir)
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.write({ service_name: `s${i}` }, tinyProfile({ value: i + 1 }))))
    const entries = await readIndex(dir)
    assert.equal(entries.length, 25)
    assert.deepEqual(new Set(entries.map((e) => e.labels['service_name'])).size, 25)
    const text = await readFile(join(dir, INDEX_FILE), 'utf8')
    assert.equal(text.split('\n').length, 26, 'one line per profile, each ending in a newline')
  })
})

describe('readIndex', () => {
  it('ignores a partial trailing line left by a crash', async (t) => {
    const dir = await tempDir(t)
    const store = new ProfileStore(dir)
    await store.write({ service_name: 'a' }, tinyProfile())
    const full = await readFile(join(dir, INDEX_FILE), 'utf8')
    await appendFile(join(dir, INDEX_FILE), full.slice(0, Math.floor(full.length / 2)))
    const entries = await readIndex(dir)
    assert.equal(entries.length, 1)
    assert.deepEqual(entries[0]?.labels, { service_name: 'a' })
  })

  it('still reads every later line after a restart following a crash mid-line', async (t) => {
    const dir = await tempDir(t)
    await new ProfileStore(dir).write({ service_name: 'before' }, tinyProfile())
    await appendFile(join(dir, INDEX_FILE), '{"time":"2025-01-0')
    await new ProfileStore(dir).write({ service_name: 'after' }, tinyProfile({ value: 3 }))
    const entries = await readIndex(dir)
    assert.deepEqual(
      entries.map((e) => e.labels['service_name']),
      ['before', 'after']
    )
  })

  it('reads a folder without an index as empty', async (t) => {
    assert.deepEqual(await readIndex(await tempDir(t)), [])
  })
})
