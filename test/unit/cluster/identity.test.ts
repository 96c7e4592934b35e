import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadOrCreateIdentity } from '../../../src/cluster/identity.js'
import { tempDir } from '../../helpers/spawn-node.js'

describe('loadOrCreateIdentity', () => {
  it('creates node.key with mode 0600 on first start and loads the same key afterwards', async () => {
    const dir = await tempDir('shardscope-identity-')
    after(() => dir.remove())
    const storage = join(dir.path, 'data')
    const first = await loadOrCreateIdentity(storage)
    const second = await loadOrCreateIdentity(storage)
    assert.equal(first.created, true)
    assert.equal(second.created, false)
    assert.equal((await stat(first.path)).mode & 0o777, 0o600)
    assert.ok(first.privateKey.publicKey.equals(second.privateKey.publicKey))
  })

  it('refuses a file that is not a key, saying how to recover', async () => {
    const dir = await tempDir('shardscope-identity-')
    after(() => dir.remove())
    await writeFile(join(dir.path, 'node.key'), 'garbage')
    await assert.rejects(loadOrCreateIdentity(dir.path), /not a libp2p private key .*remove it/)
  })
})
