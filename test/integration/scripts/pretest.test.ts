/**
 * `npm test`'s set-up step (scripts/pretest.mjs), run as npm runs it: with Go and Chromium present it does
 * nothing; without Go, a user who is not root gets one line naming the command to run (root with apt-get
 * would install it: not exercised here, it changes the machine). Also: npm runs it before the tests, and
 * CI calls exactly the README's test command.
 */
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { REPO_ROOT } from '../../helpers/cli.js'

const SCRIPT = join(REPO_ROOT, 'scripts', 'pretest.mjs')

describe('npm test set-up', () => {
  it('is npm\'s pretest step, and CI runs the README\'s test command', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    assert.equal(pkg.scripts['pretest'], 'node scripts/pretest.mjs')
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
    assert.match(readme, /^npm test +# runs the test suite$/m)
    const ci = readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8')
    assert.deepEqual(ci.split('\n').filter((l) => /^npm /.test(l)), ['npm ci --no-audit --no-fund', 'npm test'])
  })

  it('does nothing when Go and Chromium are there', { skip: spawnSync('go', ['version']).status !== 0 && 'no Go on this machine' }, () => {
    const result = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' })
    assert.equal(result.status, 0)
    assert.equal(result.stderr, '')
  })

  it('stops a user who is not root with one line naming the command', { skip: process.getuid?.() !== 0 && 'needs root to run the script as another user' }, () => {
    // As `nobody`, with a PATH that has node but neither go nor apt-get: a fresh machine without Go.
    const result = spawnSync(process.execPath, [SCRIPT], {
      encoding: 'utf8',
      uid: 65534,
      gid: 65534,
      cwd: '/',
      env: { PATH: dirname(process.execPath) === '/usr/bin' ? '/nonexistent' : dirname(process.execPath) }
    })
    assert.equal(result.status, 1, result.stderr)
    assert.match(result.stderr, /^error: the tests need golang-go( and chromium)?; install with .*apt-get install -y golang-go( chromium)?.*, then run npm test again\n$/)
  })
})
