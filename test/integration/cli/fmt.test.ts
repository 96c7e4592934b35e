/**
 * `shardscope fmt` as a user runs it: canonical form on stdout (comments kept, tabs, aligned attributes,
 * tidy blank lines and spacing), --test exits 1 until --write has rewritten the file, the output means the
 * same config, and a config that does not parse is reported and left alone.
 */
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { format, parse } from '../../../src/syntax/index.js'
import { runCli } from '../../helpers/cli.js'
import { tempDir } from '../../helpers/spawn-node.js'

const MESSY = `// A scrape job.


pyroscope.scrape   "job"{
    targets    = [{"__address__"="127.0.0.1:1" ,  "service_name" = "a"}]
    forward_to = [pyroscope.write.w.receiver]

    scrape_interval="15s"   // every 15 s
    job_name = "x" + "y"


    profiling_config {

      profile.memory { enabled = false }
    }
}
pyroscope.write "w" {
  endpoint {
       url = \`http://127.0.0.1:4040\`
    /* a block
       comment */
    headers = {
      "X-Scope-OrgID" = "t1",
    }
  }
}
`

const CANONICAL = `// A scrape job.

pyroscope.scrape "job" {
\ttargets    = [{"__address__" = "127.0.0.1:1", "service_name" = "a"}]
\tforward_to = [pyroscope.write.w.receiver]

\tscrape_interval = "15s" // every 15 s
\tjob_name        = "x" + "y"

\tprofiling_config {
\t\tprofile.memory { enabled = false }
\t}
}
pyroscope.write "w" {
\tendpoint {
\t\turl = \`http://127.0.0.1:4040\`
\t\t/* a block
       comment */
\t\theaders = {
\t\t\t"X-Scope-OrgID" = "t1",
\t\t}
\t}
}
`

describe('shardscope fmt', () => {
  let dir: { path: string; remove(): Promise<void> }
  let path: string
  before(async () => {
    dir = await tempDir('shardscope-fmt-')
    path = join(dir.path, 'messy.alloy')
    await writeFile(path, MESSY)
  })
  after(() => dir.remove())

  it('prints the canonical form, which means the same config', async () => {
    const result = await runCli(['fmt', path])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, CANONICAL)
    assert.equal(format(parse(result.stdout, 'out')), format(parse(MESSY, 'in')))
  })

  it('--test exits 1 until --write has rewritten the file; formatting is idempotent', async () => {
    const before = await runCli(['fmt', '--test', path])
    assert.equal(before.code, 1)
    assert.equal(before.stdout, '')
    assert.match(before.stderr, /messy\.alloy: not formatted \(run shardscope fmt --write .*messy\.alloy\)/)
    assert.equal((await runCli(['fmt', '--write', path])).code, 0)
    assert.equal(await readFile(path, 'utf8'), CANONICAL)
    assert.equal((await runCli(['fmt', '-t', path])).code, 0)
    assert.equal((await runCli(['fmt', path])).stdout, CANONICAL)
  })

  it('reports a config that does not parse as FILE:LINE:COL and leaves it alone', async () => {
    const bad = join(dir.path, 'bad.alloy')
    await writeFile(bad, 'pyroscope.write "w" {\n  endpoint {\n    url = \n  }\n}\n')
    const result = await runCli(['fmt', '--write', bad])
    assert.equal(result.code, 1)
    assert.match(result.stderr, /bad\.alloy:\d+:\d+: [^\n]*\n +\d+ \| .*\n +\| +\^+\n/, 'with the source line and a caret, as check')
    assert.equal(await readFile(bad, 'utf8'), 'pyroscope.write "w" {\n  endpoint {\n    url = \n  }\n}\n')
  })
})

describe('shardscope --version', () => {
  it('prints the package version, as `version` does', async () => {
    const pkg = JSON.parse(await readFile(join(process.cwd(), 'package.json'), 'utf8')) as { version: string }
    for (const args of [['--version'], ['version']]) {
      const result = await runCli(args)
      assert.equal(result.code, 0)
      assert.equal(result.stdout, `shardscope ${pkg.version} (Node.js ${process.version}, ${process.platform}/${process.arch})\n`)
    }
  })
})
