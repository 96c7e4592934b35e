/**
 * An embedded receiver's stored profiles (`/stored?component=…`): a GET filter form (labels, a UTC time
 * range), the newest profiles first, each viewable as a flame graph and downloadable, and a pager.
 */
import type { StoredProfilePage, StoredProfileQuery } from '../view.js'
import { formatBytes } from './format.js'
import { html } from './html.js'
import type { SafeHtml } from './html.js'
import { page } from './layout.js'
import { downloadHref, flameHref } from './profile-links.js'

export interface StoredPageInput {
  readonly component: string
  /** The form's fields as typed, to show them back. */
  readonly form: { readonly labels: string; readonly from: string; readonly to: string }
  readonly query: StoredProfileQuery | undefined
  readonly result: StoredProfilePage | undefined
  /** A bad filter: the form is shown again with it. */
  readonly error?: string
}

export function renderStoredPage(input: StoredPageInput): string {
  const { result, query } = input
  const first = result === undefined || result.profiles.length === 0 ? 0 : (query?.offset ?? 0) + 1
  const last = (query?.offset ?? 0) + (result?.profiles.length ?? 0)
  const body = html`
${filterForm(input)}
${input.error !== undefined ? html`<p class="error" id="filter-error">${input.error}</p>` : ''}
${result === undefined
    ? ''
    : html`<p class="muted" id="showing">Showing ${first}–${last} of ${result.total} stored profiles${result.truncated ? ' (the newest part of the index; older profiles are not listed)' : ''}</p>
<table id="stored">
<thead><tr><th>Stored</th><th>Labels</th><th>Size</th><th></th></tr></thead>
<tbody>${result.profiles.map((p) => {
        const ref = { source: 'stored' as const, component: input.component, file: p.file }
        return html`<tr><td><time datetime="${p.time}">${p.time.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC')}</time></td>
<td>${Object.entries(p.labels).map(([k, v]) => html`<span class="label">${k}=${v}</span>`)}</td>
<td>${formatBytes(p.bytes)}</td>
<td><a href="${flameHref(ref)}">flame graph</a> · <a href="${downloadHref(ref)}" download>download</a></td></tr>`
      })}</tbody>
</table>
${result.total === 0 ? html`<p class="muted">No stored profile matches.</p>` : ''}
${pager(input)}`}`
  return page('profiles', `Stored profiles of ${input.component}`, body, { refresh: false })
}

function filterForm(input: StoredPageInput): SafeHtml {
  return html`<form class="filter" method="get" action="/stored" id="stored-filter">
<input type="hidden" name="component" value="${input.component}">
<input type="search" name="labels" value="${input.form.labels}" placeholder="labels: service_name=api __name__=memory" aria-label="labels">
<label>from <input type="datetime-local" name="from" value="${input.form.from}" step="1"></label>
<label>to <input type="datetime-local" name="to" value="${input.form.to}" step="1"></label>
<span class="muted">(UTC)</span>
<button type="submit">Filter</button> <a href="/stored?${new URLSearchParams({ component: input.component }).toString()}">clear</a>
</form>`
}

function pager(input: StoredPageInput): SafeHtml {
  const { query, result } = input
  if (query === undefined || result === undefined) return html``
  const link = (offset: number, text: string): SafeHtml => {
    const params = new URLSearchParams({ component: input.component, labels: input.form.labels, from: input.form.from, to: input.form.to, offset: String(offset) })
    return html`<a href="/stored?${params.toString()}">${text}</a>`
  }
  const previous = query.offset > 0 ? link(Math.max(0, query.offset - query.limit), '← newer') : ''
  const next = query.offset + query.limit < result.total ? link(query.offset + query.limit, 'older →') : ''
  return previous === '' && next === '' ? html`` : html`<nav class="pager" aria-label="pages">${previous}${next}</nav>`
}
