import { after, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { runCli } from '../../helpers/cli.js'
import { clusterConfig, tempDir, writeConfig } from '../../helpers/spawn-node.js'

const targets = `[${Array.from({ length: 12 }, (_, i) => `{"__address__" = "10.0.0.${i}:6060", "service_name" = "s${i}"}`).join(', ')}]`

describe('shardscope targets --cluster-peers', () => {
  it('names one owner per target among the given peers, the same for every profile type of a target', async () => {
    const dir = await tempDir('shardscope-dry-run-')
    after(() => dir.remove())
    const config = await writeConfig(dir.path, clusterConfig({ targetsLiteral: targets, receiverUrl: 'http://127.0.0.1:1', interval: '15s' }))
    const text = await runCli(['targets', config, '--cluster-peers', 'a,b,c'])
    assert.equal(text.code, 0, text.stderr)
    const lines = text.stdout.split('\n').filter((l) => l.startsWith('http'))
    assert.equal(lines.length, 24)
    const owners = lines.map((l) => /  # owner=(a|b|c)$/.exec(l)?.[1])
    assert.ok(owners.every((o) => o !== undefined), text.stdout)
    assert.ok(new Set(owners).size >= 2, 'the share is spread')

    const json = await runCli(['targets', config, '--cluster-peers', 'a,b,c', '--format', 'json'])
    const rows = JSON.parse(json.stdout) as { url: string; key: string; owner: string }[]
    const byKey = new Map<string, Set<string>>()
    for (const r of rows) byKey.set(r.key, (byKey.get(r.key) ?? new Set()).add(r.owner))
    assert.ok([...byKey.values()].every((s) => s.size === 1), 'both types of a target have one owner')
    assert.deepEqual(rows.map((r) => `${r.url}  # owner=${r.owner}`), lines)
  })
})
