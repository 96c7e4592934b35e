/**
 * The UI of a real `shardscope run` process, in a real Chromium, against the real Go pprof target and an
 * embedded receiver that stores what the agent pushes: the component page (arguments in Alloy syntax,
 * secrets hidden, exports, dependencies both ways, health), the component graph, the flame graph of a
 * target's latest heap profile (Go function names visible), and the stored profiles (filtered, drawn,
 * downloaded). Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { after, before, describe, it } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser } from '../../helpers/browser.js'
import { profilingOnly } from '../../helpers/config.js'
import { freePort } from '../../helpers/free-port.js'
import { startGoTarget } from '../../helpers/go-target.js'
import type { GoTarget } from '../../helpers/go-target.js'
import { httpRequest } from '../../helpers/http.js'
import { startShardscope } from '../../helpers/processes.js'
import type { RunningProcess } from '../../helpers/processes.js'
import { waitFor } from '../../helpers/wait-for.js'

/** test-artifacts/ at the repository root (this file runs from dist/test/integration/ui/). */
const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url))
const PASSWORD = 'ui-t3st-p4ssw0rd'
/** Functions of the Go target (test/fixtures/go/main.go) that allocate and keep what they allocate. */
const HEAP_FUNCTION = 'main.allocate'

interface StoredList {
  total: number
  profiles: { file: string; sha256: string; labels: Record<string, string>; time: string }[]
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, name)
  await page.screenshot({ path, fullPage: true })
  assert.ok((await stat(path)).size > 0)
}

describe('the UI of a running agent', () => {
  let go: GoTarget
  let agent: RunningProcess | undefined
  let browser: Browser
  let page: Page
  let dir = ''
  let base = ''

  before(async () => {
    go = await startGoTarget({ service: 'shop' })
    dir = await mkdtemp(join(tmpdir(), 'shardscope-ui-'))
    const receiverPort = await freePort()
    await writeFile(
      join(dir, 'agent.alloy'),
      `pyroscope.scrape "shop" {
  targets         = [{"__address__" = "${go.address}", "service_name" = "shop"}]
  forward_to      = [pyroscope.write.local.receiver]
  scrape_interval = "2s"
  basic_auth {
    username = "agent"
    password = "${PASSWORD}"
  }
${profilingOnly('memory', 'goroutine')}
}

pyroscope.write "local" {
  endpoint {
    url = "http://127.0.0.1:${receiverPort}"
  }
}

pyroscope.receive_http "local" {
  http {
    listen_address = "127.0.0.1"
    listen_port    = ${receiverPort}
  }
  storage_path = ${JSON.stringify(join(dir, 'store'))}
}
`
    )
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    agent = startShardscope(['run', join(dir, 'agent.alloy'), '--server.http.listen-addr', `127.0.0.1:${port}`, '--storage.path', join(dir, 'data')])
    await agent.waitForOutput(/msg=starting/)
    // "starting" comes before the components run: the receiver says when it listens.
    await agent.waitForOutput(/msg="receiving profiles/)
    browser = await launchBrowser()
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  })
  after(async () => {
    await browser?.close()
    await agent?.stop()
    await go?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  it('shows a component like Alloy: arguments in Alloy syntax with the secret hidden, exports, dependencies both ways, health', async () => {
    await page.goto(`${base}/components`)
    await Promise.all([page.waitForURL(/\/component\?id=pyroscope\.scrape\.shop/), page.click('#components a:has-text("pyroscope.scrape.shop")')])
    const args = await page.locator('#arguments').innerText()
    assert.match(args, /^targets = \[\n\t\{\n\t\t__address__ += "127\.0\.0\.1:\d+",\n\t\tservice_name = "shop",\n\t\},\n\]$/m)
    assert.match(args, /^forward_to += \[pyroscope\.write\.local\.receiver\]$/m)
    assert.match(args, /^scrape_interval += "2s"$/m)
    assert.match(args, /^scheme += "http"$/m, 'defaults are shown')
    assert.match(args, /^basic_auth \{\n\tusername = "agent"\n\tpassword = \(secret\)\n\}$/m)
    assert.match(args, /^profiling_config \{$/m)
    assert.equal(await page.locator('#references').innerText(), 'pyroscope.write.local')
    assert.equal(await page.locator('#referenced-by').innerText(), 'none')
    assert.equal(await page.locator('#component-health .health').innerText(), 'healthy')
    assert.ok(!(await page.content()).includes(PASSWORD))
    await screenshot(page, 'ui-component-scrape.png')

    await Promise.all([page.waitForURL(/id=pyroscope\.write\.local/), page.click('#references a')])
    assert.equal(await page.locator('#referenced-by').innerText(), 'pyroscope.scrape.shop')
    assert.equal((await page.locator('#exports').innerText()).trimEnd(), 'receiver = capsule("ProfilesReceiver")')

    await page.goto(`${base}/component?id=pyroscope.receive_http.local`)
    assert.match(await page.locator('#health-message').innerText(), /^listening on 127\.0\.0\.1:\d+$/)
    assert.match(await page.locator('#arguments').innerText(), /^http \{\n\tlisten_address = "127\.0\.0\.1"\n\tlisten_port += \d+\n\}$/m)
  })

  it('draws the component graph as SVG; a node leads to its component page', async () => {
    await page.goto(`${base}/graph`)
    const nodes = page.locator('#graph a.node')
    assert.deepEqual((await nodes.evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string }).getAttribute('data-id')))).sort(), [
      'pyroscope.receive_http.local',
      'pyroscope.scrape.shop',
      'pyroscope.write.local'
    ])
    const edges = await page.locator('#graph path.edge').evaluateAll((els) => els.map((e) => {
      const el = e as unknown as { getAttribute(n: string): string }
      return `${el.getAttribute('data-from')} -> ${el.getAttribute('data-to')}`
    }))
    assert.deepEqual(edges, ['pyroscope.scrape.shop -> pyroscope.write.local'])
    const scrape = await page.locator('#graph a.node[data-id="pyroscope.scrape.shop"] rect').boundingBox()
    const write = await page.locator('#graph a.node[data-id="pyroscope.write.local"] rect').boundingBox()
    assert.ok(scrape !== null && write !== null && scrape.x < write.x, 'the arrow points right')
    await screenshot(page, 'ui-graph.png')
    await Promise.all([page.waitForURL(/id=pyroscope\.write\.local/), page.click('#graph a.node[data-id="pyroscope.write.local"]')])
  })

  it('draws the flame graph of the latest Go heap profile from the targets page, with Go function names', async () => {
    await waitFor(
      async () => {
        await page.goto(`${base}/`)
        return (await page.locator('#targets a.chip-link:has-text("memory")').count()) === 1
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'a successful memory scrape' }
    )
    await Promise.all([page.waitForURL(/\/flamegraph\?source=latest/), page.click('#targets a.chip-link:has-text("memory")')])
    await page.waitForSelector('#flamegraph[data-ready=true]', { timeout: 10_000 })
    const types = await page.locator('#sample-types a').allInnerTexts()
    assert.deepEqual(types, ['alloc_objects/count', 'alloc_space/bytes', 'inuse_objects/count', 'inuse_space/bytes'])
    await Promise.all([page.waitForURL(/sample_type=alloc_space/), page.click('#sample-types a:has-text("alloc_space")')])
    await page.waitForSelector('#flamegraph[data-ready=true]', { timeout: 10_000 })
    // Frames grow into place (a short transition); the label shows once its frame is wide enough.
    const label = page.locator('#flamegraph .d3-flame-graph-label', { hasText: HEAP_FUNCTION }).first()
    await label.waitFor({ state: 'visible', timeout: 5_000 })
    assert.equal(await label.innerText(), HEAP_FUNCTION)
    await label.hover({ force: true })
    const hovered = await page.locator('#details').innerText()
    assert.match(hovered, new RegExp(`^${HEAP_FUNCTION.replace('.', '\\.')}: [\\d.]+ [KMG]iB \\([\\d.]+%\\)$`), 'the frame under the pointer, with its value in bytes')
    assert.ok((await page.locator('#top-functions tbody tr').allInnerTexts()).some((r) => r.includes('main.')))
    await screenshot(page, 'ui-flamegraph-latest-heap.png')

    // Search highlights, and a click zooms in (the library's own interactions work under the page's policy).
    await page.fill('#flame-search input[name=term]', HEAP_FUNCTION)
    await page.click('#flame-search button[type=submit]')
    await waitFor(async () => (await page.locator('#details').innerText()).startsWith('search:'), { timeoutMs: 5_000, what: 'search details' })
  })

  it('lists stored profiles filtered by labels and time, draws one and downloads it as stored', async () => {
    const list = await waitFor(
      async () => {
        const body = (await httpRequest(`${base}/api/v1/profiles/stored?component=pyroscope.receive_http.local&labels=__name__%3Dmemory`)).json<StoredList>()
        return body.total >= 1 ? body : undefined
      },
      { timeoutMs: 20_000, intervalMs: 500, what: 'a stored memory profile' }
    )
    await page.goto(`${base}/profiles`)
    await Promise.all([page.waitForURL(/\/stored\?component=/), page.click('#stores a')])
    await page.fill('input[name=labels]', '__name__=memory service_name="shop"')
    await Promise.all([page.waitForURL(/labels=/), page.click('#stored-filter button[type=submit]')])
    const rows = page.locator('#stored tbody tr')
    assert.ok((await rows.count()) >= 1)
    for (const text of await rows.allInnerTexts()) {
      assert.ok(text.includes('__name__=memory') && text.includes('service_name=shop'), text)
    }
    await screenshot(page, 'ui-stored-profiles.png')

    // A time range after every stored profile matches none.
    await page.fill('input[name=from]', '2999-01-01T00:00:00')
    await Promise.all([page.waitForURL(/from=2999/), page.click('#stored-filter button[type=submit]')])
    assert.equal(await rows.count(), 0)
    assert.match(await page.locator('#showing').innerText(), /of 0 stored profiles/)
    await page.goBack()

    const newest = list.profiles[0]
    assert.ok(newest)
    await Promise.all([page.waitForURL(/source=stored/), page.locator('#stored tbody tr').first().locator('a:has-text("flame graph")').click()])
    await page.waitForSelector('#flamegraph[data-ready=true]', { timeout: 10_000 })
    assert.ok((await page.locator('#profile-info').innerText()).includes('memory of shop'))
    await screenshot(page, 'ui-flamegraph-stored.png')

    const href = await page.locator('#download').getAttribute('href')
    assert.ok(href !== null)
    const download = await page.request.get(new URL(href, base).toString())
    assert.equal(download.status(), 200)
    const sha256 = createHash('sha256').update(await download.body()).digest('hex')
    const shown = await waitFor(async () => {
      const current = (await httpRequest(`${base}/api/v1/profiles/stored?component=pyroscope.receive_http.local&labels=__name__%3Dmemory`)).json<StoredList>()
      return current.profiles.find((p) => href.includes(encodeURIComponent(p.file)))
    }, { timeoutMs: 1_000, what: 'the downloaded profile in the list' })
    assert.equal(sha256, shown.sha256, 'the download is the stored file, byte for byte')
  })

  it('answers 404 for an unknown component or profile, and never shows the secret', async () => {
    for (const path of ['/component?id=nope', '/flamegraph?source=latest&component=x&id=y', '/stored?component=pyroscope.write.local', '/api/v1/profiles/stored/pprof?component=pyroscope.receive_http.local&file=profiles/2024-01-01/..%2F..%2Fagent.alloy']) {
      assert.equal((await httpRequest(base + path)).status, 404, path)
    }
    const pages = await Promise.all(['/components', '/component?id=pyroscope.scrape.shop', '/graph', '/profiles', '/api/v1/components', '/api/v1/profiles/latest'].map(async (p) => (await httpRequest(base + p)).text()))
    for (const text of pages) assert.ok(!text.includes(PASSWORD))
    assert.ok(!agent!.output().includes(PASSWORD))
  })
})
