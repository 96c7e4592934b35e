import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProfileStore, readIndex } from '../../../../../src/components/pyroscope/receive_http/store.js'
import { tinyProfile } from '../../../../helpers/receiver.js'

async function tempDir(t: import('node:test').TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shardscope-store-commit-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** Every file under `dir`, relative, with `/`. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort()
}

describe('ProfileStore.writeAll', () => {
  it('stores a request whole: every file, and one index line per profile', async (t) => {
    const dir = await tempDir(t)
    const store = new ProfileStore(dir)
    const items = Array.from({ length: 30 }, (_, i) => ({ labels: { service_name: `s${i}` }, raw: tinyProfile({ value: i + 1 }) }))
    const entries = await store.writeAll(items)
    assert.equal(entries.length, 30)
    assert.deepEqual((await readIndex(dir)).map((e) => e.file).sort(), entries.map((e) => e.file).sort())
    assert.deepEqual(await filesUnder(dir), ['index.jsonl', ...entries.map((e) => e.file)].sort())
  })

  it('stores nothing of a request whose commit fails, so a retry stores it exactly once', async (t) => {
    const dir = await tempDir(t)
    // The index cannot be appended to: the commit fails after every file was written and moved into place.
    await mkdir(join(dir, 'index.jsonl'))
    const store = new ProfileStore(dir)
    const items = Array.from({ length: 10 }, (_, i) => ({ labels: { service_name: `s${i}` }, raw: tinyProfile({ value: i + 1 }) }))
    await assert.rejects(store.writeAll(items), /EISDIR/)
    assert.deepEqual(await filesUnder(dir), [], 'no profile file, no staging file')
    await rm(join(dir, 'index.jsonl'), { recursive: true })
    await store.writeAll(items)
    assert.equal((await readIndex(dir)).length, 10)
  })

  it('removes what a crash left at start-up: staging, .tmp files and files without an index line', async (t) => {
    const dir = await tempDir(t)
    const kept = await new ProfileStore(dir).write({ service_name: 'kept' }, tinyProfile())
    const day = join(dir, 'profiles', kept.file.split('/')[1] ?? '')
    await mkdir(join(dir, 'staging', '123-1-0'), { recursive: true })
    await writeFile(join(dir, 'staging', '123-1-0', '0'), tinyProfile())
    await writeFile(join(day, '1-abc.pb.gz.42.0.tmp'), 'partial')
    await writeFile(join(day, '1-0123456789abcdef-9.pb.gz'), tinyProfile({ value: 9 }))
    await new ProfileStore(dir).prepare()
    assert.deepEqual(await filesUnder(dir), ['index.jsonl', kept.file].sort())
    assert.equal((await readIndex(dir)).length, 1)
  })
})
