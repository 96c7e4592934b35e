import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { HEAP_GROWING_PERCENT, heapGrowthFlag } from '../../../src/util/heap-growth.js'

const GIB = 1024 ** 3
const MODULE = fileURLToPath(new URL('../../../src/util/heap-growth.js', import.meta.url))

/** What `limitHeapGrowth()` returns in a real node process started with these flags and environment. */
async function appliedIn(nodeFlags: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const script = `import(${JSON.stringify(MODULE)}).then((m) => console.log(m.limitHeapGrowth() ?? 'none'))`
  const { stdout } = await promisify(execFile)(process.execPath, [...nodeFlags, '-e', script], { env: { ...process.env, NODE_OPTIONS: '', ...env }, timeout: 20_000 })
  return stdout.trim()
}

describe('heapGrowthFlag', () => {
  it('caps the growth between full collections where V8 would let the heap grow up to 4×', () => {
    assert.equal(heapGrowthFlag({ nodeFlags: [], heapSizeLimitBytes: 4 * GIB }), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
    assert.equal(heapGrowthFlag({ nodeFlags: ['--enable-source-maps', ''], heapSizeLimitBytes: 2 * GIB }), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
  })

  it('leaves the heap to the operator’s own flags', () => {
    for (const flag of ['--max-old-space-size=512', '--heap-growing-percent=200', '--max-heap-size=1024']) {
      assert.equal(heapGrowthFlag({ nodeFlags: [flag], heapSizeLimitBytes: 4 * GIB }), undefined, flag)
    }
    assert.equal(heapGrowthFlag({ nodeFlags: ['--trace-warnings --max-old-space-size=3000'], heapSizeLimitBytes: 4 * GIB }), undefined, 'within NODE_OPTIONS')
  })

  it('leaves a heap limit under 1 GiB (a small container) to V8, which grows it little already', () => {
    assert.equal(heapGrowthFlag({ nodeFlags: [], heapSizeLimitBytes: 0.75 * GIB }), undefined)
    assert.equal(heapGrowthFlag({ nodeFlags: [], heapSizeLimitBytes: GIB }), `--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
  })

  it('reads the flags of the real process: node flags and NODE_OPTIONS', async () => {
    assert.equal(await appliedIn(['--max-old-space-size=3000']), 'none')
    assert.equal(await appliedIn([], { NODE_OPTIONS: '--max-old-space-size=3000' }), 'none')
    assert.equal(await appliedIn(['--max-old-space-size=1024', '--heap-growing-percent=20']), 'none')
  })
})
