/** Where each profile is viewed and downloaded: one place builds these links for every page. */

export type ProfileRef = { readonly source: 'latest'; readonly component: string; readonly id: string } | { readonly source: 'stored'; readonly component: string; readonly file: string }

function query(params: Record<string, string>): string {
  return new URLSearchParams(params).toString()
}

function refParams(ref: ProfileRef): Record<string, string> {
  return ref.source === 'latest' ? { source: 'latest', component: ref.component, id: ref.id } : { source: 'stored', component: ref.component, file: ref.file }
}

export function flameHref(ref: ProfileRef, sampleType?: string): string {
  return `/flamegraph?${query({ ...refParams(ref), ...(sampleType !== undefined ? { sample_type: sampleType } : {}) })}`
}

/** The raw profile (gzipped pprof, as scraped or stored), from the JSON API at the root. */
export function downloadHref(ref: ProfileRef): string {
  const { source: _source, ...params } = refParams(ref)
  return `/api/v1/profiles/${ref.source}/pprof?${query(params)}`
}

export function storedListHref(component: string): string {
  return `/stored?${query({ component })}`
}
