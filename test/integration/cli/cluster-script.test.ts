/**
 * `npm run cluster -- 3` (scripts/cluster.mjs) as a user runs it: three agents with their own names, ports,
 * identities and storage, demo targets and a receiver; it prints every UI address, the nodes see each other,
 * each demo target is scraped by one node and lands in the receiver; Ctrl-C (SIGINT to the script) stops
 * every process it started.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { REPO_ROOT } from '../../helpers/cli.js'
import { httpRequest } from '../../helpers/http.js'
import { tempDir } from '../../helpers/spawn-node.js'
import { waitFor } from '../../helpers/wait-for.js'

interface ClusterApi {
  self: { name: string; peer_id: string } | null
  peers: { name: string; state: string }[]
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('npm run cluster', () => {
  let dir: { path: string; remove(): Promise<void> }
  let script: ChildProcess
  let output = ''
  let exited: Promise<number | null>

  before(async () => {
    dir = await tempDir('shardscope-cluster-script-')
    // What `npm run cluster -- 3` runs (checked below), without npm in between, so the signal goes to the script.
    script = spawn(process.execPath, ['scripts/cluster.mjs', '3', '--dir', dir.path], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    script.stdout?.on('data', (d: Buffer) => (output += d.toString()))
    script.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    exited = new Promise((resolve) => script.once('exit', (code) => resolve(code)))
  })
  after(async () => {
    if (script.exitCode === null && script.signalCode === null) script.kill('SIGKILL')
    // Whatever is still running (a failed test) goes too.
    for (const name of ['node-1', 'node-2', 'node-3', 'received']) {
      const pid = Number((await readFile(join(dir.path, name, 'shardscope.lock'), 'utf8').catch(() => '')).trim())
      if (pid > 0 && alive(pid)) process.kill(pid, 'SIGKILL')
    }
    await dir.remove()
  })

  it('is what `npm run cluster` runs', async () => {
    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    assert.equal(pkg.scripts['cluster'], 'node scripts/cluster.mjs')
  })

  it('starts three nodes, demo targets and a receiver, prints the UIs, and stops them all on Ctrl-C', { timeout: 120_000 }, async () => {
    await waitFor(() => output.includes('Ctrl-C stops everything.') || script.exitCode !== null, { timeoutMs: 60_000, what: 'the cluster started' })
    const uis = [...output.matchAll(/^ {2}(node-\d) +UI +(http:\/\/127\.0\.0\.1:\d+)\/$/gm)].map((m) => ({ name: m[1] ?? '', url: m[2] ?? '' }))
    assert.deepEqual(uis.map((u) => u.name), ['node-1', 'node-2', 'node-3'], output)
    assert.equal(new Set(uis.map((u) => u.url)).size, 3)

    // Every node sees the two others: three distinct names and peer ids.
    const views = await waitFor(
      async () => {
        const all = await Promise.all(uis.map(async (u) => (await httpRequest(`${u.url}/api/v1/cluster`)).json<ClusterApi>()))
        return all.every((v) => v.peers.filter((p) => p.state !== 'left').length >= 2) ? all : undefined
      },
      { timeoutMs: 30_000, what: 'every node sees the others' }
    )
    assert.deepEqual(views.map((v) => v.self?.name), ['node-1', 'node-2', 'node-3'])
    assert.equal(new Set(views.map((v) => v.self?.peer_id)).size, 3, 'each node has its own identity')
    const keys = await Promise.all(['node-1', 'node-2', 'node-3'].map((n) => readFile(join(dir.path, n, 'node.key'))))
    assert.equal(new Set(keys.map((k) => k.toString('hex'))).size, 3)

    // Every demo target reaches the receiver.
    await waitFor(
      async () => {
        const index = await readFile(join(dir.path, 'received', 'index.jsonl'), 'utf8').catch(() => '')
        return ['demo-1', 'demo-2', 'demo-3'].every((d) => index.includes(`"service_name":"${d}"`))
      },
      { timeoutMs: 45_000, what: 'profiles of every demo target stored' }
    )

    const pids = await Promise.all(['node-1', 'node-2', 'node-3', 'received'].map(async (n) => Number((await readFile(join(dir.path, n, 'shardscope.lock'), 'utf8')).trim())))
    assert.ok(pids.every((p) => p > 0 && alive(p)))
    // Ctrl-C reaches the script (its processes have their own process group), which stops them all.
    script.kill('SIGINT')
    await waitFor(() => pids.every((p) => !alive(p)), { timeoutMs: 30_000, what: 'every process stopped' })
    assert.equal(await exited, 0)
  })
})
