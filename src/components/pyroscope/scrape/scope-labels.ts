/**
 * The instrumentation-scope labels every scraped series is sent with, as Alloy's scrape loop adds them at
 * append time (`LabelsWithScope`): `otel.scope.name` when the target has none, and `otel.scope.version`
 * only when the scope is shardscope's own. Added when a profile is forwarded, not at target expansion, so
 * the 50,000-URL expansion does not pay for two more labels per scrape; the labeled copy is made once per
 * target label set. See docs/alloy-compatibility.md.
 */
import { packageVersion } from '../../../http/index.js'
import type { Labels } from '../../../util/labels.js'

export const SCOPE_NAME_LABEL = 'otel.scope.name'
export const SCOPE_VERSION_LABEL = 'otel.scope.version'
export const SCOPE_NAME = 'shardscope/pyroscope.scrape'

const cache = new WeakMap<Labels, Labels>()

export function withScopeLabels(labels: Labels, version: string = packageVersion()): Labels {
  const known = cache.get(labels)
  if (known !== undefined) return known
  const out: Record<string, string> = { ...labels }
  if ((out[SCOPE_NAME_LABEL] ?? '') === '') out[SCOPE_NAME_LABEL] = SCOPE_NAME
  const ours = out[SCOPE_NAME_LABEL] === SCOPE_NAME
  if (ours && (out[SCOPE_VERSION_LABEL] ?? '') === '' && version !== '' && version !== 'unknown') out[SCOPE_VERSION_LABEL] = version
  const frozen = Object.freeze(out)
  cache.set(labels, frozen)
  return frozen
}
