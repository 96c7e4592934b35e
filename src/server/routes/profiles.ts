/**
 * Profiles: pages and JSON API.
 * - GET /profiles            the latest profile of each scrape loop, and the receivers that store profiles
 * - GET /stored?component=   a receiver's stored profiles, filtered (stored-query.ts)
 * - GET /flamegraph?source=latest&component=&id=  or  ?source=stored&component=&file=  [&sample_type=]
 * - GET /api/v1/profiles/latest                    → { "profiles": LatestProfileView[] }
 * - GET /api/v1/profiles/latest/pprof?component=&id=  the body as scraped (gzipped pprof)
 * - GET /api/v1/profiles/stored?component=&labels=&from=&to=&offset=&limit=  → StoredProfilePage
 * - GET /api/v1/profiles/stored/pprof?component=&file=  the file as stored
 * Unknown components or profiles answer 404, bad parameters 400, both with one line saying which.
 */
import type { ServerResponse } from 'node:http'
import { checkProfileAsync } from '../../pprof/index.js'
import { flameTree } from '../../pprof/index.js'
import type { FlameTree } from '../../pprof/index.js'
import { FLAME_PAGE_POLICY, sendHtml, sendJson, sendProfile, sendText } from '../respond.js'
import { parseStoredQuery } from '../stored-query.js'
import { prefixUiLinks } from '../ui-prefix.js'
import { renderFlamePage } from '../ui/flame-page.js'
import type { ProfileRef } from '../ui/profile-links.js'
import { renderProfilesPage } from '../ui/profiles-page.js'
import { renderStoredPage } from '../ui/stored-page.js'
import type { ProfileBody } from '../view.js'
import type { Route, RouteContext } from './context.js'

/** Inflated size allowed when drawing a profile: as much as a scrape may inflate by default. */
const MAX_INFLATED_BYTES = 256 * 1024 * 1024

const profilesPage: Route = (_req, res, _url, ctx) => {
  const html = renderProfilesPage({ latest: ctx.view.latestProfiles?.() ?? [], stores: ctx.view.profileStores?.() ?? [], nowMs: ctx.clock.now() })
  sendHtml(res, 200, prefixUiLinks(html, ctx.uiPrefix ?? '/'))
}

const storedPage: Route = async (_req, res, url, ctx) => {
  const component = url.searchParams.get('component') ?? ''
  if (!(ctx.view.profileStores?.() ?? []).includes(component)) {
    sendText(res, 404, `no component ${JSON.stringify(component)} stores profiles (see /profiles)`)
    return
  }
  const form = { labels: url.searchParams.get('labels') ?? '', from: url.searchParams.get('from') ?? '', to: url.searchParams.get('to') ?? '' }
  const parsed = parseStoredQuery(url.searchParams)
  const result = parsed.ok ? await ctx.view.storedProfiles?.(component, parsed.query) : undefined
  const html = renderStoredPage({ component, form, query: parsed.ok ? parsed.query : undefined, result, ...(parsed.ok ? {} : { error: parsed.error }) })
  sendHtml(res, parsed.ok ? 200 : 400, prefixUiLinks(html, ctx.uiPrefix ?? '/'))
}

const flamePage: Route = async (_req, res, url, ctx) => {
  const found = await findProfile(url.searchParams, ctx)
  if ('error' in found) {
    sendText(res, found.status, found.error)
    return
  }
  const { ref, title, time, bytes, labels, body } = found
  const sampleType = url.searchParams.get('sample_type') ?? undefined
  const tree = body === undefined ? { error: found.notKept ?? 'the profile body is not kept' } : await treeOf(body, sampleType?.slice(0, 128))
  sendHtml(res, 200, prefixUiLinks(renderFlamePage({ ref, title, time, bytes, labels, tree }), ctx.uiPrefix ?? '/'), FLAME_PAGE_POLICY)
}

async function treeOf(body: Uint8Array, sampleType: string | undefined): Promise<FlameTree | { error: string }> {
  const checked = await checkProfileAsync(Buffer.from(body.buffer, body.byteOffset, body.byteLength), 'application/octet-stream', { maxDecompressedBytes: MAX_INFLATED_BYTES })
  return checked.ok ? flameTree(checked.profile, sampleType) : { error: `cannot draw this profile: ${checked.reason}` }
}

interface FoundProfile {
  readonly ref: ProfileRef
  readonly title: string
  readonly time: string
  readonly bytes: number
  readonly labels: Readonly<Record<string, string>>
  readonly body: Uint8Array | undefined
  readonly notKept?: string
}

async function findProfile(params: URLSearchParams, ctx: RouteContext): Promise<FoundProfile | { status: number; error: string }> {
  const component = params.get('component') ?? ''
  const source = params.get('source') ?? 'latest'
  if (source === 'latest') {
    const id = params.get('id') ?? ''
    const held = ctx.view.latestProfile?.(component, id)
    if (!held) {
      const why = 'a cumulative type (memory, mutex, block) has one from its second scrape on, the first being its baseline'
      return { status: 404, error: `no latest profile for component ${JSON.stringify(component)} and id ${JSON.stringify(id)} (${why}; see /profiles)` }
    }
    const { info } = held
    return {
      ref: { source, component, id },
      title: `${info.profile_type} of ${info.url}`,
      time: info.time,
      bytes: info.bytes,
      labels: info.labels,
      body: held.body,
      ...(info.not_kept !== undefined ? { notKept: info.not_kept } : {})
    }
  }
  if (source === 'stored') {
    const file = params.get('file') ?? ''
    const stored = await storedBody(component, file, ctx)
    if (!stored) return { status: 404, error: `no stored profile ${JSON.stringify(file)} in component ${JSON.stringify(component)} (see /profiles)` }
    const { info } = stored
    return { ref: { source, component, file }, title: `${info.labels['__name__'] ?? 'profile'} of ${info.labels['service_name'] ?? 'unknown service'}`, time: info.time, bytes: info.bytes, labels: info.labels, body: stored.body }
  }
  return { status: 400, error: `invalid source ${JSON.stringify(source.slice(0, 32))}: want latest or stored` }
}

function storedBody(component: string, file: string, ctx: RouteContext): Promise<ProfileBody<{ time: string; bytes: number; labels: Record<string, string> }> | undefined> {
  if (!(ctx.view.profileStores?.() ?? []).includes(component)) return Promise.resolve(undefined)
  return ctx.view.storedProfile?.(component, file) ?? Promise.resolve(undefined)
}

const latestList: Route = (_req, res, _url, ctx) => {
  sendJson(res, 200, { profiles: ctx.view.latestProfiles?.() ?? [] })
}

const latestPprof: Route = (_req, res, url, ctx) => {
  const component = url.searchParams.get('component') ?? ''
  const id = url.searchParams.get('id') ?? ''
  const held = ctx.view.latestProfile?.(component, id)
  if (!held?.body) {
    sendText(res, 404, held ? (held.info.not_kept ?? 'not kept') : `no latest profile for component ${JSON.stringify(component)} and id ${JSON.stringify(id)}`)
    return
  }
  sendBody(res, `${held.info.profile_type}-${id}.pb${isGzip(held.body) ? '.gz' : ''}`, held.body)
}

const storedList: Route = async (_req, res, url, ctx) => {
  const component = url.searchParams.get('component') ?? ''
  const parsed = parseStoredQuery(url.searchParams)
  if (!parsed.ok) {
    sendJson(res, 400, { error: parsed.error })
    return
  }
  const page = (ctx.view.profileStores?.() ?? []).includes(component) ? await ctx.view.storedProfiles?.(component, parsed.query) : undefined
  if (!page) {
    sendJson(res, 404, { error: `no component ${JSON.stringify(component)} stores profiles` })
    return
  }
  sendJson(res, 200, page)
}

const storedPprof: Route = async (_req, res, url, ctx) => {
  const component = url.searchParams.get('component') ?? ''
  const file = url.searchParams.get('file') ?? ''
  const stored = await storedBody(component, file, ctx)
  if (!stored?.body) {
    sendText(res, 404, `no stored profile ${JSON.stringify(file)} in component ${JSON.stringify(component)}`)
    return
  }
  sendBody(res, file.slice(file.lastIndexOf('/') + 1), stored.body)
}

function sendBody(res: ServerResponse, name: string, body: Uint8Array): void {
  sendProfile(res, name.replace(/[^A-Za-z0-9_.-]/g, '_'), Buffer.from(body.buffer, body.byteOffset, body.byteLength))
}

function isGzip(body: Uint8Array): boolean {
  return body[0] === 0x1f && body[1] === 0x8b
}

export const profileRoutes: Readonly<Record<string, Route>> = {
  '/profiles': profilesPage,
  '/stored': storedPage,
  '/flamegraph': flamePage,
  '/api/v1/profiles/latest': latestList,
  '/api/v1/profiles/latest/pprof': latestPprof,
  '/api/v1/profiles/stored': storedList,
  '/api/v1/profiles/stored/pprof': storedPprof
}
