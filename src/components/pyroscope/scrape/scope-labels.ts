/**
 * The instrumentation-scope labels every scraped series carries, as Alloy's scrape loop adds them
 * (`LabelsWithScope`): `otel.scope.name` when the target has none, and `otel.scope.version` only when the
 * scope is shardscope's own. See docs/alloy-compatibility.md.
 */
import { packageVersion } from '../../../http/user-agent.js'

export const SCOPE_NAME_LABEL = 'otel.scope.name'
export const SCOPE_VERSION_LABEL = 'otel.scope.version'
export const SCOPE_NAME = 'shardscope/pyroscope.scrape'

export function addScopeLabels(labels: Record<string, string>, version: string = packageVersion()): void {
  if (labels[SCOPE_NAME_LABEL] === undefined || labels[SCOPE_NAME_LABEL] === '') labels[SCOPE_NAME_LABEL] = SCOPE_NAME
  const ours = labels[SCOPE_NAME_LABEL] === SCOPE_NAME
  if (ours && (labels[SCOPE_VERSION_LABEL] ?? '') === '' && version !== '' && version !== 'unknown') labels[SCOPE_VERSION_LABEL] = version
}
