/**
 * `shardscope check` as a user reads it: each error with its source line, a caret under the position and,
 * for a near miss, the name that was probably meant.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runCli } from '../../helpers/cli.js'

const CONFIG = `pyroscope.scrape "s" {
\ttargets          = [{"__address__" = "127.0.0.1:6060"}]
\tforward_to       = [pyroscope.write.local.receiver]
\tscrape_intervall = "10s"
}

pyroscope.writ "local" {
  endpoint {
    url = "http://127.0.0.1:4040"
  }
}
`

describe('check output', () => {
  it('prints each error with its line, a caret and "did you mean"', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'shardscope-check-'))
    t.after(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'config.alloy')
    await writeFile(path, CONFIG)
    const r = await runCli(['check', path])
    assert.equal(r.code, 1)
    assert.equal(r.stdout, '')
    assert.equal(
      r.stderr,
      [
        `${path}:3:22: reference to a component that does not exist: "pyroscope.write.local"`,
        '  3 |     forward_to       = [pyroscope.write.local.receiver]',
        `    |                         ${'^'.repeat('pyroscope.write.local.receiver'.length)}`,
        `${path}:7:1: component "pyroscope.writ" is not supported by shardscope; did you mean "pyroscope.write"? (supported: discovery.http, pyroscope.receive_http, pyroscope.scrape, pyroscope.write)`,
        '  7 | pyroscope.writ "local" {',
        '    | ^^^^^^^^^^^^^^',
        ''
      ].join('\n')
    )

    await writeFile(path, CONFIG.replace('pyroscope.writ ', 'pyroscope.write '))
    const second = await runCli(['check', path])
    assert.equal(second.code, 1)
    assert.equal(
      second.stderr,
      [
        `${path}:4:2: unrecognized attribute name "scrape_intervall"; did you mean "scrape_interval"?`,
        '  4 |     scrape_intervall = "10s"',
        '    |     ^^^^^^^^^^^^^^^^',
        ''
      ].join('\n')
    )
  })
})
