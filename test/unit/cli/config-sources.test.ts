/**
 * The top-level `logging` block and `run DIR` (every *.alloy file of a folder as one config), in-process and
 * through the built CLI.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, defaultControllerOptions, loadConfigSources, loadConfigText, readConfigSources } from '../../../src/cli/load.js'
import { formatDiagnostic } from '../../../src/syntax/diagnostics.js'
import { runCli } from '../../helpers/cli.js'
import { WRITE_LOCAL } from '../../helpers/config.js'

const load = (text: string, env: Record<string, string> = {}): ReturnType<typeof loadConfigText> =>
  loadConfigText(text, 'test.alloy', defaultControllerOptions({ env: (n) => env[n] }), 'check')

function errorsOf(fn: () => unknown): string[] {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError) return err.diagnostics.map(formatDiagnostic)
    throw err
  }
  return []
}

describe('logging block', () => {
  it('is read as process settings, not as a component', () => {
    const result = load(`logging {\n  level  = "debug"\n  format = sys.env("FMT")\n}\n${WRITE_LOCAL}`, { FMT: 'json' })
    assert.deepEqual(result.logging, { level: 'debug', format: 'json' })
    assert.deepEqual([...(result.controller?.components.keys() ?? [])], ['pyroscope.write.local'])
  })

  it('defaults to info and logfmt, and is optional', () => {
    assert.deepEqual(load('logging {}\n' + WRITE_LOCAL).logging, { level: 'info', format: 'logfmt' })
    assert.deepEqual(load(WRITE_LOCAL).logging, {})
  })

  it('accepts write_to with a warning', () => {
    const result = load(`logging {\n  write_to = [loki.write.default.receiver]\n}\n${WRITE_LOCAL}`)
    assert.deepEqual(result.warnings.map(formatDiagnostic), ['test.alloy:2:3: logging write_to is ignored: logs are written to stderr'])
  })

  it('refuses a bad level, a label, a second block and an unknown attribute', () => {
    assert.deepEqual(errorsOf(() => load(`logging {\n  level = "verbose"\n}\n`)), ['test.alloy:2:3: logging level must be one of debug, info, warn, error, got "verbose"'])
    assert.deepEqual(errorsOf(() => load(`logging "x" {\n}\n`)), ['test.alloy:1:9: the logging block does not take a label'])
    assert.deepEqual(errorsOf(() => load(`logging {\n}\nlogging {\n}\n`)), ['test.alloy:3:1: the logging block may appear only once'])
    assert.equal(errorsOf(() => load(`logging {\n  colour = "red"\n}\n`)).length, 1)
  })
})

describe('a folder of *.alloy files', () => {
  let dir: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'config-dir-'))
    await mkdir(join(dir, 'good'))
    await writeFile(join(dir, 'good', 'a-write.alloy'), WRITE_LOCAL)
    await writeFile(join(dir, 'good', 'b-scrape.alloy'), `pyroscope.scrape "s" {\n  targets = [{"__address__" = "localhost:4100"}]\n  forward_to = [pyroscope.write.local.receiver]\n}\n`)
    await writeFile(join(dir, 'good', 'notes.txt'), 'not a config')
    await mkdir(join(dir, 'bad'))
    await writeFile(join(dir, 'bad', 'one.alloy'), 'pyroscope.write "w" {\n  url = "x\n}\n')
    await writeFile(join(dir, 'bad', 'two.alloy'), 'pyroscope.write "v" {\n  oops = \n}\n')
    await mkdir(join(dir, 'empty'))
  })
  after(() => rm(dir, { recursive: true, force: true }))

  it('loads every *.alloy file as one config, references across files included', async () => {
    const sources = await readConfigSources(join(dir, 'good'))
    assert.deepEqual(sources.map((s) => s.name), [join(dir, 'good', 'a-write.alloy'), join(dir, 'good', 'b-scrape.alloy')])
    const result = loadConfigSources(sources, defaultControllerOptions(), 'check')
    assert.deepEqual([...(result.controller?.components.keys() ?? [])].sort(), ['pyroscope.scrape.s', 'pyroscope.write.local'])
  })

  it('names the file of each error, reporting every file', async () => {
    const sources = await readConfigSources(join(dir, 'bad'))
    const errors = errorsOf(() => loadConfigSources(sources, defaultControllerOptions(), 'check'))
    assert.deepEqual(errors, [
      `${join(dir, 'bad', 'one.alloy')}:2:9: string literal not terminated`,
      `${join(dir, 'bad', 'two.alloy')}:3:1: expected expression, got }`
    ])
  })

  it('check DIR through the CLI: valid, and refused with the file named', async () => {
    const good = await runCli(['check', join(dir, 'good')])
    assert.equal(good.code, 0, good.stderr)
    assert.match(good.stdout, /valid \(2 components\)/)
    const bad = await runCli(['check', join(dir, 'bad')])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /one\.alloy:2:9: [^]*\n.*two\.alloy:3:1: /)
    const empty = await runCli(['check', join(dir, 'empty')])
    assert.equal(empty.code, 1)
    assert.match(empty.stderr, /holds no \*\.alloy file/)
  })

  it('run refuses an invalid config as check does: each error with its line and a caret, nothing started', async () => {
    const storage = join(dir, 'run-bad-data')
    const res = await runCli(['run', '--server.http.listen-addr=127.0.0.1:0', `--storage.path=${storage}`, join(dir, 'bad')])
    assert.equal(res.code, 1)
    assert.equal(res.stdout, '')
    assert.equal(
      res.stderr,
      [
        `${join(dir, 'bad', 'one.alloy')}:2:9: string literal not terminated`,
        '  2 |   url = "x',
        '    |         ^^',
        `${join(dir, 'bad', 'two.alloy')}:3:1: expected expression, got }`,
        '  3 | }',
        '    | ^',
        ''
      ].join('\n')
    )
    await assert.rejects(stat(storage), { code: 'ENOENT' }, 'nothing started: no storage created')
  })

  it('run reports a listen address it cannot use in one line, without a stack', async () => {
    const res = await runCli(['run', '--server.http.listen-addr=not-an-address', `--storage.path=${join(dir, 'data')}`, join(dir, 'good')])
    assert.equal(res.code, 1)
    const last = res.stderr.trimEnd().split('\n').at(-1) ?? ''
    assert.match(last, /^error: cannot listen on not-an-address: /)
    assert.ok(!res.stderr.includes('    at '), res.stderr)
  })

  it('run refuses an unknown flag with one line naming it, before reading the config', async () => {
    const res = await runCli(['run', '--no-such-flag', join(dir, 'good')])
    assert.equal(res.code, 1)
    assert.equal(res.stderr, 'error: unknown flag --no-such-flag\n')
  })
})
