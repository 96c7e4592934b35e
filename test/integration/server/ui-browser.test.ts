import assert from 'node:assert/strict'
import { mkdir, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser } from '../../helpers/browser.js'
import {
  SCRIPT_LABEL,
  SECRET_TEXTS,
  disabledCluster,
  downTarget,
  enabledCluster,
  fixtureView,
  startTestServer,
  upTarget
} from './fixture.js'
import type { TestServer } from './fixture.js'

/** The part of the browser's window used in page.evaluate (this project compiles without DOM types). */
interface BrowserWindow {
  getComputedStyle(element: unknown): { backgroundColor: string }
}

/** test-artifacts/ at the repository root (this file runs from dist/test/integration/server/). */
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url))

describe('debug UI in a real browser', () => {
  let browser: Browser
  let server: TestServer
  let dialogs: string[]
  let page: Page

  before(async () => {
    server = await startTestServer()
    browser = await launchBrowser()
    page = await browser.newPage({ viewport: { width: 1400, height: 800 } })
    dialogs = []
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message())
      void dialog.dismiss()
    })
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('shows the up and the down target, the last error and the cluster panel on /', async () => {
    await page.goto(`${server.base}/`)
    const rows = page.locator('#targets tbody tr')
    assert.equal(await rows.count(), 2)
    const up = rows.filter({ hasText: new URL(upTarget().url).origin })
    const down = rows.filter({ hasText: new URL(downTarget().url).origin })
    assert.equal(await up.locator('.health').innerText(), 'up')
    assert.equal(await down.locator('.health').innerText(), 'down')
    assert.equal(await down.locator('.error').innerText(), `${downTarget().profile_type}: ${downTarget().last_error}`)
    // The fixture clock is 12 s after the up target's last scrape.
    assert.match(await up.locator('td').nth(4).innerText(), /^12s ago/)
    assert.equal(await down.locator('td').nth(5).innerText(), 'never')

    const panel = await page.locator('#cluster-panel').innerText()
    const cluster = enabledCluster()
    assert.ok(panel.includes(`${cluster.peers.length} peers`), panel)
    assert.ok(panel.includes(cluster.self?.name ?? '(no self)'), panel)

    await mkdir(ARTIFACTS, { recursive: true })
    const screenshot = `${ARTIFACTS}ui-targets.png`
    await page.screenshot({ path: screenshot, fullPage: true })
    assert.ok((await stat(screenshot)).size > 0)
  })

  it('groups a target\'s profile types in one row: chips with their own health, the errors in a wide column, empty profiles flagged with a hint', async () => {
    const base = upTarget()
    const types = [
      { ...base, profile_type: 'goroutine', url: 'http://127.0.0.1:6060/debug/pprof/goroutine' },
      { ...base, profile_type: 'memory', url: 'http://127.0.0.1:6060/debug/pprof/allocs', health: 'down' as const, last_error: 'server returned HTTP status 500 Internal Server Error: heap profile unavailable while the collector runs', last_success: null },
      { ...base, profile_type: 'mutex', url: 'http://127.0.0.1:6060/debug/pprof/mutex', hint: 'the profile has no samples: a Go program records mutex contention only after runtime.SetMutexProfileFraction(rate) with rate > 0' }
    ]
    const before = server.view.state.targets
    server.view.state.targets = [...before, ...types]
    try {
      await page.goto(`${server.base}/`)
      assert.equal(await page.locator('#targets tbody tr').count(), 2, 'three types of one target are one row')
      const row = page.locator('#targets tbody tr').filter({ hasText: '127.0.0.1:6060' })
      assert.deepEqual(await row.locator('.chip').allInnerTexts(), ['goroutine', 'memory', 'mutex (empty)', 'process_cpu'])
      assert.deepEqual(await row.locator('.chip').evaluateAll((els) => els.map((e) => (e as unknown as { className: string }).className)), ['chip health-up', 'chip health-down', 'chip health-up empty', 'chip health-up'])
      assert.equal(await row.locator('.health').innerText(), 'down', 'the row shows its worst type')
      const error = row.locator('.error')
      assert.equal(await error.innerText(), `memory: ${types[1]?.last_error ?? ''}\nmutex: ${types[2]?.hint ?? ''}`)
      const box = await error.boundingBox()
      assert.ok(box !== null && box.width >= 360, `error column ${box?.width ?? 0}px wide`)
      await mkdir(ARTIFACTS, { recursive: true })
      await page.screenshot({ path: `${ARTIFACTS}ui-targets-grouped.png`, fullPage: true })
    } finally {
      server.view.state.targets = before
    }
  })

  it('renders a label holding a script tag as text, and no script runs', async () => {
    await page.goto(`${server.base}/`)
    const labels = await page.locator('#targets .label').allInnerTexts()
    assert.ok(labels.includes(`evil=${SCRIPT_LABEL}`), labels.join(' | '))
    assert.equal(await page.locator('#targets script').count(), 0)
    assert.deepEqual(dialogs, [])
  })

  it('colours health: up and down badges differ', async () => {
    await page.goto(`${server.base}/`)
    const colour = (health: string): Promise<string> =>
      page.locator(`#targets .health-${health}`).first().evaluate((el) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).backgroundColor)
    assert.notEqual(await colour('up'), await colour('down'))
  })

  it('filters with the GET form, without JavaScript', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false })
    const noJs = await context.newPage()
    try {
      await noJs.goto(`${server.base}/`)
      await noJs.selectOption('select[name=health]', 'down')
      await Promise.all([noJs.waitForURL(/health=down/), noJs.click('form.filter button[type=submit]')])
      const rows = noJs.locator('#targets tbody tr')
      assert.equal(await rows.count(), 1)
      assert.ok((await rows.first().innerText()).includes(new URL(downTarget().url).origin))

      await noJs.fill('input[name=q]', 'service_name=api')
      await noJs.selectOption('select[name=health]', '')
      await Promise.all([noJs.waitForURL(/q=service_name/), noJs.click('form.filter button[type=submit]')])
      assert.equal(await noJs.locator('#targets tbody tr').count(), 1)
      assert.ok((await noJs.locator('#targets tbody tr').first().innerText()).includes(new URL(upTarget().url).origin))
    } finally {
      await context.close()
    }
  })

  it('lists components with their dependencies, each linking to its page; the cluster page shows peers and ownership', async () => {
    await page.goto(`${server.base}/components`)
    const rows = page.locator('#components tbody tr')
    assert.equal(await rows.count(), 2)
    assert.deepEqual(await rows.first().locator('td').allInnerTexts(), ['pyroscope.scrape.default', 'pyroscope.scrape', 'healthy', 'started', 'pyroscope.write.default', 'none'])
    await Promise.all([page.waitForURL(/\/component\?id=pyroscope\.write\.default/), rows.first().locator('td').nth(4).locator('a').click()])
    assert.equal(await page.locator('#referenced-by').innerText(), 'pyroscope.scrape.default')
    assert.match(await page.locator('#health-message').innerText(), /push failed: 503/)
    await Promise.all([page.waitForURL(/id=pyroscope\.scrape\.default/), page.click('#referenced-by a')])
    assert.match(await page.locator('#arguments').innerText(), /password = \(secret\)/)
    for (const secret of SECRET_TEXTS) assert.ok(!(await page.content()).includes(secret))
    await mkdir(ARTIFACTS, { recursive: true })
    await page.screenshot({ path: `${ARTIFACTS}ui-component.png`, fullPage: true })

    await page.goto(`${server.base}/cluster`)
    const cluster = enabledCluster()
    assert.equal(await page.locator('#peers tbody tr').count(), cluster.peers.length)
    const ownerRows = await page.locator('#ownership tbody tr').allInnerTexts()
    assert.equal(ownerRows.length, Object.keys(cluster.ownership).length)
    assert.ok(ownerRows.some((r) => r.startsWith('node-a')))
  })

  it('says "clustering disabled" when clustering is off', async () => {
    server.view.state.cluster = disabledCluster()
    try {
      await page.goto(`${server.base}/cluster`)
      assert.equal(await page.locator('#cluster-disabled').innerText(), 'clustering disabled')
      await page.goto(`${server.base}/`)
      assert.match(await page.locator('#cluster-panel').innerText(), /clustering disabled/)
    } finally {
      server.view.state.cluster = enabledCluster()
    }
  })
})

describe('targets page with 10,000 targets', () => {
  let browser: Browser
  let server: TestServer
  const COUNT = 10_000

  before(async () => {
    const view = fixtureView()
    view.state.targets = Array.from({ length: COUNT }, (_, i) => ({
      ...upTarget(),
      url: `http://127.0.0.1:${10_000 + (i % 50_000)}/debug/pprof/profile?n=${String(i).padStart(5, '0')}`
    }))
    server = await startTestServer(view)
    browser = await launchBrowser()
  })
  after(async () => {
    await browser?.close()
    await server?.close()
  })

  it('shows one page of 100 rows with the total, and the next page follows', async () => {
    const page = await browser.newPage()
    await page.goto(`${server.base}/`)
    assert.equal(await page.locator('#targets tbody tr').count(), 100)
    assert.equal(await page.locator('#showing').innerText(), `Showing 1–100 of ${COUNT} targets`)
    await Promise.all([page.waitForURL(/page=2/), page.click('.pager a:has-text("next")')])
    assert.equal(await page.locator('#showing').innerText(), `Showing 101–200 of ${COUNT} targets`)
    assert.ok((await page.locator('#targets tbody tr').first().innerText()).includes('127.0.0.1:10100'))
  })
})
