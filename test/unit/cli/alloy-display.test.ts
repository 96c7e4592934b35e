/**
 * A component's arguments and exports as the component page shows them: Alloy text laid out as `fmt`
 * does, defaults included, durations as Go durations, receivers by the export that holds them, and every
 * secret hidden (secret values, URL passwords and secret-looking query parameters, credentials in
 * `__address__`, credential-like headers and params).
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createAgentView } from '../../../src/cli/agent-view.js'
import { loadValid } from '../../helpers/config.js'

const CONFIG = `pyroscope.scrape "s" {
  targets      = [{"__address__" = "u:hunter2@127.0.0.1:1", "service_name" = "x"}]
  forward_to   = [pyroscope.write.local.receiver]
  bearer_token = "tok-hunter2"
  params       = {"token" = ["hunter2"], "x" = ["1"]}
}
pyroscope.write "local" {
  endpoint {
    url     = "http://user:hunter2@h:1/?api_key=hunter2"
    headers = {"Authorization" = "Bearer hunter2", "X-Scope-OrgID" = "t"}
  }
}
`

function detail(id: string): { args: string; exports: string } {
  const view = createAgentView({ controller: loadValid(CONFIG).controller, cluster: undefined, running: true })
  const d = view.componentDetail?.(id)
  assert.ok(d)
  return { args: d.arguments_alloy, exports: d.exports_alloy }
}

describe('arguments and exports in Alloy syntax', () => {
  it('prints a scrape component as its config reads, with defaults, durations and the receiver by name', () => {
    const { args, exports } = detail('pyroscope.scrape.s')
    assert.equal(
      args.split('\n').slice(0, 14).join('\n'),
      [
        'targets = [',
        '\t{',
        '\t\t__address__  = "u:xxxxx@127.0.0.1:1",',
        '\t\tservice_name = "x",',
        '\t},',
        ']',
        'forward_to = [pyroscope.write.local.receiver]',
        'params     = {',
        '\ttoken = (secret),',
        '\tx     = ["1"],',
        '}',
        'scrape_interval        = "15s"',
        'scrape_timeout         = "18s"',
        'scheme                 = "http"'
      ].join('\n')
    )
    assert.match(args, /^bearer_token += \(secret\)$/m)
    assert.equal(exports, '')
  })

  it('prints blocks as blocks and hides URL passwords, secret query parameters and credential headers', () => {
    const { args, exports } = detail('pyroscope.write.local')
    assert.match(args, /^endpoint \{\n\turl += "http:\/\/user:xxxxx@h:1\/\?api_key=xxxxx"\n/m)
    assert.match(args, /^\t\tAuthorization += \(secret\),\n\t\t"X-Scope-OrgID" = "t",$/m)
    assert.match(args, /^\tmax_backoff_period += "5m0s"$/m)
    assert.equal(exports, 'receiver = capsule("ProfilesReceiver")\n')
  })

  it('never shows a secret', () => {
    for (const id of ['pyroscope.scrape.s', 'pyroscope.write.local']) {
      const { args, exports } = detail(id)
      assert.ok(!args.includes('hunter2') && !exports.includes('hunter2'), args)
    }
  })

  it('lists dependencies both ways', () => {
    const view = createAgentView({ controller: loadValid(CONFIG).controller, cluster: undefined, running: true })
    const byId = new Map(view.components().map((c) => [c.id, c]))
    assert.deepEqual(byId.get('pyroscope.scrape.s')?.references, ['pyroscope.write.local'])
    assert.deepEqual(byId.get('pyroscope.scrape.s')?.referenced_by, [])
    assert.deepEqual(byId.get('pyroscope.write.local')?.referenced_by, ['pyroscope.scrape.s'])
    assert.equal(view.componentDetail?.('nope'), undefined)
  })
})
