/** Every config shipped under config/ passes `check` (in-process; the CLI path is covered by the spec examples). */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { configErrors } from '../../helpers/config.js'
import { REPO_ROOT } from '../../helpers/cli.js'

const files = [
  ...readdirSync(join(REPO_ROOT, 'config', 'examples')).map((f) => join('config', 'examples', f)),
  join('config', 'default.alloy'),
  join('config', 'cluster.alloy')
].filter((f) => f.endsWith('.alloy'))

describe('shipped configs', () => {
  it('include the examples', () => {
    assert.ok(files.length >= 7, files.join(', '))
  })
  for (const file of files) {
    it(`${file} is valid`, () => {
      const errors = configErrors(readFileSync(join(REPO_ROOT, file), 'utf8'), { PYROSCOPE_PASSWORD: 'x', REGION: 'eu' })
      assert.deepEqual(errors, [])
    })
  }
})
