/**
 * `shardscope check` and `shardscope targets` on configs built to break the parser: each prints one
 * `FILE:LINE:COL: message` line and exits with an error, never a RangeError stack trace.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.js'

const WRITE = 'pyroscope.write "w" {\n  endpoint {\n    url = "http://127.0.0.1:4040"\n  }\n}\n'

const configs: [string, string | Buffer, RegExp][] = [
  ['2,000 nested [', `pyroscope.write "w" {\n  external_labels = {a = ${'['.repeat(2000)}${']'.repeat(2000)}}\n}\n`, /:2:\d+: nesting is deeper than 200 levels/],
  ['a 4,000-term + chain', `pyroscope.write "w" {\n  external_labels = {a = ${Array.from({ length: 4000 }, () => '"x"').join(' + ')}}\n}\n`, /:2:\d+: nesting is deeper than 200 levels/],
  ['10,000 nested blocks', `${'a {\n'.repeat(10_000)}${'}\n'.repeat(10_000)}`, /:\d+:\d+: nesting is deeper than 200 levels/],
  ['10,000 !', `pyroscope.write "w" {\n  external_labels = {a = ${'!'.repeat(10_000)}true}\n}\n`, /:2:\d+: nesting is deeper than 200 levels/],
  ['invalid UTF-8', Buffer.concat([Buffer.from(`${WRITE}pyroscope.write "v" {\n  external_labels = {a = "`), Buffer.from([0xc3, 0x28]), Buffer.from('"}\n}\n')]), /:7:27: invalid UTF-8 \(byte 0xc3 at byte offset \d+\): a config must be UTF-8 text/]
]

describe('hostile configs on the command line', () => {
  for (const command of ['check', 'targets']) {
    for (const [name, text, error] of configs) {
      it(`${command}: ${name} is one positioned error`, async (t) => {
        const dir = await mkdtemp(join(tmpdir(), 'shardscope-hostile-config-'))
        t.after(() => rm(dir, { recursive: true, force: true }))
        const path = join(dir, 'config.alloy')
        await writeFile(path, text)
        const r = await runCli([command, path])
        assert.notEqual(r.code, 0)
        const output = r.stdout + r.stderr
        assert.doesNotMatch(output, /RangeError|Maximum call stack|\n\s+at /)
        assert.match(output, new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${error.source}`))
      })
    }
  }

  it('targets: credentials in __address__ are printed redacted, in text and JSON', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'shardscope-hostile-config-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'config.alloy')
    await writeFile(
      path,
      `pyroscope.scrape "s" {\n  targets    = [{"__address__" = "u:SECRET@127.0.0.1:24051", "service_name" = "a"}, {"__address__" = "u:SECRET@127.0.0.1/x"}]\n  forward_to = [pyroscope.write.w.receiver]\n}\n${WRITE}`
    )
    for (const args of [['targets', path], ['targets', '--format', 'json', path]]) {
      const r = await runCli(args)
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, /u:xxxxx@127\.0\.0\.1:24051/)
      assert.doesNotMatch(r.stdout + r.stderr, /SECRET/)
    }
  })
})
