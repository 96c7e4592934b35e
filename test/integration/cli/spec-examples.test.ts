/**
 * Every Alloy block of the reference doc passes `shardscope check` verbatim (with pyroscope.write.local
 * supplied where the example references it without declaring it), and `shardscope targets` prints exactly
 * the URL lists the doc prints.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WRITE_LOCAL } from '../../helpers/config.js'
import { REPO_ROOT, runCli } from '../../helpers/cli.js'
import { packageVersion } from '../../../src/http/user-agent.js'

const SPEC = join(REPO_ROOT, 'test', 'fixtures', 'config', 'spec')

describe('the reference doc examples', () => {
  let dir = ''
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shardscope-spec-'))
  })
  after(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  /** The example as a file, with pyroscope.write.local appended when the example uses it without declaring it. */
  async function example(name: string, substitutions: Record<string, string> = {}): Promise<string> {
    let text = await readFile(join(SPEC, name), 'utf8')
    for (const [from, to] of Object.entries(substitutions)) text = text.replace(from, to)
    if (text.includes('pyroscope.write.local.receiver') && !text.includes('pyroscope.write "local"')) text += WRITE_LOCAL
    const path = join(dir, name)
    await writeFile(path, text)
    return path
  }

  for (const name of [
    'static-targets.alloy',
    'dynamic-targets.alloy',
    'static-and-dynamic-targets.alloy',
    'enabling-and-disabling-profiles.alloy',
    'profile-custom.alloy'
  ]) {
    it(`passes check: ${name}`, async () => {
      const r = await runCli(['check', await example(name)])
      assert.equal(r.stderr.replace(/^.*warning: .*\n/gm, ''), '')
      assert.equal(r.code, 0)
      assert.match(r.stdout, /valid/)
    })
  }

  it('passes check: the usage block, with its placeholders filled in', async () => {
    const path = await example('usage.alloy', {
      TARGET_LIST: '[{"__address__" = "localhost:9090"}]',
      RECEIVER_LIST: '[pyroscope.write.local.receiver]'
    })
    const r = await runCli(['check', path])
    assert.equal(r.code, 0, r.stderr)
  })

  it('warns that the dynamic example nests a list of targets in a list', async () => {
    const r = await runCli(['check', await example('dynamic-targets.alloy')])
    assert.equal(r.code, 0)
    assert.match(r.stderr, /dynamic-targets\.alloy:7:13: warning: targets is a list of lists; it was flattened/)
  })

  for (const name of ['static-targets', 'enabling-and-disabling-profiles']) {
    it(`prints the doc's URL list for ${name}`, async () => {
      const r = await runCli(['targets', await example(`${name}.alloy`)])
      assert.equal(r.code, 0, r.stderr)
      const expected = await readFile(join(SPEC, `${name}.urls`), 'utf8')
      assert.equal(r.stdout, expected)
    })
  }

  it('prints labels and the ring key with --format json', async () => {
    const r = await runCli(['targets', '--format', 'json', await example('static-targets.alloy')])
    assert.equal(r.code, 0, r.stderr)
    const rows = JSON.parse(r.stdout) as { url: string; key: string; labels: Record<string, string>; profile_type: string }[]
    assert.equal(rows.length, 10)
    const cpu = rows.find((row) => row.url === 'http://localhost:4100/debug/pprof/profile?seconds=14')
    assert.ok(cpu)
    assert.match(cpu.key, /^[0-9a-f]{16}$/)
    assert.deepEqual(cpu.labels, {
      __name__: 'process_cpu',
      instance: 'localhost:4100',
      job: 'pyroscope.scrape.local',
      'otel.scope.name': 'shardscope/pyroscope.scrape',
      'otel.scope.version': packageVersion(),
      service_name: 'pyroscope'
    })
    // Both URLs of one target share its key; the two targets differ.
    const keys = new Set(rows.map((row) => row.key))
    assert.equal(keys.size, 2)
  })

  it('exits 1 with file:line:col for an invalid config, and prints nothing on stdout', async () => {
    const path = join(dir, 'bad.alloy')
    await writeFile(path, 'pyroscope.scrape "s" {\n  targets = []\n}\n')
    const r = await runCli(['check', path])
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.equal(r.stderr, `${path}:1:1: missing required attribute "forward_to"\n  1 | pyroscope.scrape "s" {\n    | ^^^^^^^^^^^^^^^^\n`)
  })

  it('prints help for every command', async () => {
    for (const args of [['--help'], ['run', '--help'], ['check', '--help'], ['targets', '--help'], ['receive', '--help']]) {
      const r = await runCli(args)
      assert.equal(r.code, 0, args.join(' '))
      assert.match(r.stdout, /Usage/)
    }
  })
})
