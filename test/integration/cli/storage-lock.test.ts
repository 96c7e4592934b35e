/**
 * One `shardscope run` per --storage.path: a second process on the same folder stops at once with one line
 * naming the folder and the first one's pid; a lock left by a process that is gone is taken over; a debug
 * port in use is one line naming the flag to change.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFile, writeFile, mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'
import { tempDir } from '../../helpers/spawn-node.js'
import { waitFor } from '../../helpers/wait-for.js'

const CONFIG = `pyroscope.write "w" {
  endpoint {
    url = "http://127.0.0.1:1"
  }
}
`

describe('storage lock', () => {
  let dir: { path: string; remove(): Promise<void> }
  let first: RunningProcess
  let config: string
  let address: string

  before(async () => {
    dir = await tempDir('shardscope-lock-')
    config = join(dir.path, 'agent.alloy')
    await writeFile(config, CONFIG)
    first = startShardscope(['run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${join(dir.path, 'data')}`])
    address = (await first.waitForOutput(/address=(127\.0\.0\.1:\d+) msg="debug server listening"/))[1] ?? ''
  })
  after(async () => {
    await first?.stop()
    await dir?.remove()
  })

  it('writes the pid of the process holding the folder', async () => {
    assert.equal((await readFile(join(dir.path, 'data', 'shardscope.lock'), 'utf8')).trim(), String(first.child.pid))
  })

  it('stops a second process on the same --storage.path with one line naming the folder and the pid', async () => {
    const second = await runCli(['run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${join(dir.path, 'data')}`])
    assert.equal(second.code, 1)
    assert.equal(
      second.stderr,
      `error: ${join(dir.path, 'data')} is in use by another shardscope process (pid ${first.child.pid}); give each process its own --storage.path\n`
    )
  })

  it('names --server.http.listen-addr when the debug port is taken', async () => {
    const taken = await runCli(['run', config, `--server.http.listen-addr=${address}`, `--storage.path=${join(dir.path, 'other')}`])
    assert.equal(taken.code, 1)
    assert.equal(taken.stderr, `error: cannot listen on ${address}: address already in use (choose another address with --server.http.listen-addr)\n`)
  })

  it('takes over a lock whose process is gone, and removes it on exit', async () => {
    const stale = join(dir.path, 'stale')
    await mkdir(stale, { recursive: true })
    // The pid of a process that has exited.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout
    await writeFile(join(stale, 'shardscope.lock'), `${gone}\n`)
    const agent = startShardscope(['run', config, '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${stale}`])
    try {
      await waitFor(async () => (await readFile(join(stale, 'shardscope.lock'), 'utf8')).trim() === String(agent.child.pid), { timeoutMs: 15_000, what: 'the lock taken over' })
    } finally {
      assert.equal(await agent.stop('SIGTERM'), 0)
    }
    await assert.rejects(readFile(join(stale, 'shardscope.lock')), { code: 'ENOENT' })
  })
})
