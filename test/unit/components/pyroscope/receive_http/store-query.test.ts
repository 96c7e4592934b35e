/** Listing and reading a receiver's store for the UI, on real files written by the store itself. */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ProfileStore } from '../../../../../src/components/pyroscope/receive_http/store.js'
import { queryStore, readStoredProfile } from '../../../../../src/components/pyroscope/receive_http/store-query.js'

async function filledStore(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shardscope-store-query-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  let now = Date.parse('2025-01-02T03:00:00.000Z')
  const store = new ProfileStore(dir, { clock: { now: () => now, sleep: async () => {} } })
  for (let i = 0; i < 6; i++) {
    await store.write({ service_name: i % 2 === 0 ? 'api' : 'db', __name__: 'memory' }, Buffer.from(`profile-${i}`))
    now += 60_000
  }
  return dir
}

const ALL = { labels: [], offset: 0, limit: 100 }

describe('querying a receiver store', () => {
  it('lists the newest first, filtered by labels and by time, and pages', async (t) => {
    const dir = await filledStore(t)
    const all = await queryStore(dir, ALL)
    assert.equal(all.total, 6)
    assert.equal(all.truncated, false)
    assert.deepEqual(all.profiles.map((p) => p.time.slice(11, 16)), ['03:05', '03:04', '03:03', '03:02', '03:01', '03:00'])

    const api = await queryStore(dir, { ...ALL, labels: [['service_name', 'api'], ['__name__', 'memory']] })
    assert.deepEqual(api.profiles.map((p) => p.labels['service_name']), ['api', 'api', 'api'])

    const window = await queryStore(dir, { ...ALL, fromMs: Date.parse('2025-01-02T03:01:00Z'), toMs: Date.parse('2025-01-02T03:03:00Z') })
    assert.deepEqual(window.profiles.map((p) => p.time.slice(11, 16)), ['03:03', '03:02', '03:01'])

    const page = await queryStore(dir, { ...ALL, offset: 4, limit: 10 })
    assert.deepEqual(page, { total: 6, profiles: all.profiles.slice(4), truncated: false })
  })

  it('reads only the newest part of a large index, and says so', async (t) => {
    const dir = await filledStore(t)
    const tail = await queryStore(dir, ALL, 600)
    assert.equal(tail.truncated, true)
    assert.ok(tail.total > 0 && tail.total < 6, `${tail.total}`)
    assert.equal(tail.profiles[0]?.time.slice(11, 16), '03:05')
  })

  it('serves an indexed file as stored, and nothing else', async (t) => {
    const dir = await filledStore(t)
    const [newest] = (await queryStore(dir, ALL)).profiles
    assert.ok(newest)
    const read = await readStoredProfile(dir, newest.file)
    assert.equal(Buffer.from(read?.body ?? []).toString(), 'profile-5')
    assert.deepEqual(read?.entry, newest)
    await writeFile(join(dir, 'secret.txt'), 'not a profile')
    for (const file of ['secret.txt', '../secret.txt', `${newest.file.slice(0, 20)}../../secret.txt`, 'profiles/2025-01-02/..', 'profiles/2025-01-02/not-indexed.pb']) {
      assert.equal(await readStoredProfile(dir, file), undefined, file)
    }
  })

  it('lists nothing for a store that has received nothing', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'shardscope-store-query-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    assert.deepEqual(await queryStore(dir, ALL), { total: 0, profiles: [], truncated: false })
  })
})
