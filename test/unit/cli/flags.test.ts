/**
 * `shardscope run` flags parsed as Alloy's pflag parses them. The Helm case is every `run` argument of
 * Alloy's chart (test/fixtures/alloy/helm-agent-args.json, from its `_agent.yaml`).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { FlagError, RUN_FLAGS, parseBool, parseRunFlags } from '../../../src/cli/flags.js'
import { RUN_HELP } from '../../../src/cli/help.js'
import { DEFAULT_MAX_CONNECTIONS, parseClusterOptions } from '../../../src/cluster/options.js'
import { REPO_ROOT } from '../../helpers/cli.js'

const helm = JSON.parse(readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'alloy', 'helm-agent-args.json'), 'utf8')) as { args: string[] }

describe('parseRunFlags', () => {
  it("parses every flag of Alloy's Helm chart, passing the cluster ones through and logging the inert ones", () => {
    const [command, ...rest] = helm.args
    assert.equal(command, 'run')
    const parsed = parseRunFlags(rest)
    assert.deepEqual(parsed.positionals, ['/etc/alloy/config.alloy'])
    assert.equal(parsed.values['storage.path'], '/tmp/alloy')
    assert.equal(parsed.values['server.http.listen-addr'], '0.0.0.0:12345')
    assert.equal(parsed.values['server.http.ui-path-prefix'], '/')
    assert.equal(parsed.values['cluster.enabled'], true)
    assert.equal(parsed.values['cluster.join-addresses'], 'alloy-cluster')
    assert.equal(parsed.values['cluster.name'], 'alloy')
    assert.deepEqual(
      parsed.ignored.map((l) => l.split(' ')[0]),
      ['--disable-reporting=true', '--stability.level=generally-available']
    )
  })

  it('takes every form of a boolean that pflag takes, and no separate value', () => {
    for (const [arg, want] of [
      ['--cluster.enabled', true],
      ['--cluster.enabled=true', true],
      ['--cluster.enabled=false', false],
      ['--cluster.enabled=1', true],
      ['--cluster.enabled=F', false],
      ['--cluster.enabled=TRUE', true]
    ] as const) {
      assert.equal(parseRunFlags([arg, 'c.alloy']).values['cluster.enabled'], want, arg)
    }
    assert.throws(() => parseRunFlags(['--cluster.enabled=yes']), /^FlagError: --cluster.enabled takes true or false, got "yes"$/)
    // A following word is a positional, not the boolean's value.
    assert.deepEqual(parseRunFlags(['--disable-reporting', 'c.alloy']).positionals, ['c.alloy'])
  })

  it('takes string values as --flag=value and --flag value, and passes the cluster flags through', () => {
    const parsed = parseRunFlags([
      '--cluster.rejoin-interval=30s',
      '--cluster.discover-peers',
      'provider=k8s namespace=default',
      '--cluster.join-addresses=alloy-0,alloy-1:12346',
      '--cluster.max-join-peers=3',
      'c.alloy'
    ])
    assert.equal(parsed.values['cluster.rejoin-interval'], '30s')
    assert.equal(parsed.values['cluster.discover-peers'], 'provider=k8s namespace=default')
    assert.equal(parsed.values['cluster.join-addresses'], 'alloy-0,alloy-1:12346')
    assert.equal(parsed.values['cluster.max-join-peers'], '3')
    assert.deepEqual(parsed.positionals, ['c.alloy'])
  })

  it('leaves --log.* unset when absent, so that the logging block applies', () => {
    const parsed = parseRunFlags(['c.alloy'])
    assert.equal(parsed.values['log.level'], undefined)
    assert.equal(parsed.values['cluster.enabled'], false)
    assert.equal(parsed.values['server.http.listen-addr'], '127.0.0.1:12345')
  })

  it('hands the cluster module no value for an absent --cluster.max-connections, so its default (the one help and README give) applies', () => {
    const parsed = parseRunFlags(['--cluster.enabled', 'c.alloy'])
    assert.equal(parsed.values['cluster.max-connections'], undefined)
    const options = parseClusterOptions(parsed.values, { hostname: 'h', interfaces: {} })
    assert.equal(options.maxConnections, DEFAULT_MAX_CONNECTIONS)
    assert.match(RUN_HELP, new RegExp(`--cluster\\.max-connections N +cap on cluster connections \\(default ${DEFAULT_MAX_CONNECTIONS}\\)`))
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
    assert.ok(readme.includes(`| \`--cluster.max-connections\` | \`${DEFAULT_MAX_CONNECTIONS}\` |`), 'README states the same default')
  })

  const refusals: [string[], string][] = [
    [['--no-such-flag=1'], 'unknown flag --no-such-flag'],
    [['--cluster.enable-tls=true'], '--cluster.enable-tls=true is not supported: cluster traffic is encrypted by libp2p noise; restrict it with --cluster.psk-file'],
    [['--stability.level=beta'], '--stability.level must be one of generally-available, public-preview, experimental, got "beta"'],
    [['--config.format=prometheus'], '--config.format=prometheus is not supported: only Alloy syntax configs (alloy) are read'],
    [['--server.http.ui-path-prefix=ui'], '--server.http.ui-path-prefix must start with "/", got "ui"'],
    [['--storage.path'], '--storage.path needs a value']
  ]
  for (const [args, message] of refusals) {
    it(`refuses ${args.join(' ')} with one line naming the flag`, () => {
      assert.throws(
        () => parseRunFlags(args),
        (err: unknown) => err instanceof FlagError && err.message === message && !err.message.includes('\n')
      )
    })
  }

  it('accepts --cluster.enable-tls=false and every flag it declares', () => {
    assert.equal(parseRunFlags(['--cluster.enable-tls=false']).values['cluster.enable-tls'], false)
    for (const [name, spec] of Object.entries(RUN_FLAGS)) {
      const arg = spec.type === 'boolean' ? `--${name}=false` : `--${name}=${name === 'stability.level' ? 'experimental' : name === 'config.format' ? 'alloy' : name.includes('prefix') ? '/x' : 'v'}`
      assert.doesNotThrow(() => parseRunFlags([arg]), name)
    }
  })

  it('parseBool is Go strconv.ParseBool', () => {
    assert.deepEqual(['1', 't', 'T', 'TRUE', 'true', 'True'].map(parseBool), [true, true, true, true, true, true])
    assert.deepEqual(['0', 'f', 'F', 'FALSE', 'false', 'False'].map(parseBool), [false, false, false, false, false, false])
    assert.deepEqual(['yes', 'tRUE', ''].map(parseBool), [undefined, undefined, undefined])
  })
})
