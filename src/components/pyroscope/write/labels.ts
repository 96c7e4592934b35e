/**
 * The labels pyroscope.write sends with a profile (docs/components.md "pyroscope.write"). Pure.
 *
 * Order, as Alloy's Append: validate the incoming labels, drop every `__` label except `__name__` and
 * `__delta__`, apply `external_labels` (they override), sort by name. shardscope adds one rule: the final
 * set must carry a non-empty `service_name` (Pyroscope files every profile under it), checked after the
 * external labels so that `external_labels = { service_name = "..." }` is a valid way to provide it.
 */
import type { Labels } from '../../../util/labels.js'

export type LabelList = readonly (readonly [string, string])[]

export type PrepareLabelsResult = { ok: true; labels: [string, string][] } | { ok: false; reason: string }

export const INVALID_LABELS_PREFIX = 'invalid labels in profile: '

/** Labels that survive the `__` filter: Pyroscope reads the profile type and the delta flag from them. */
const KEPT_RESERVED = new Set(['__name__', '__delta__'])

/** Alloy's write-side rule: a name is made of ASCII letters, digits, `_` and `.` (`invalid-label` is not). */
const VALID_NAME = /^[A-Za-z0-9_.]+$/

/** A lone UTF-16 surrogate is what invalid UTF-8 becomes in a JS string (ES2024 `isWellFormed` is not available). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

export function prepareLabels(labels: Labels | LabelList, external: Labels): PrepareLabelsResult {
  const list: LabelList = Array.isArray(labels) ? labels : Object.entries(labels)
  const problem = validateLabelList(list)
  if (problem !== undefined) return { ok: false, reason: INVALID_LABELS_PREFIX + problem }

  const merged = new Map<string, string>()
  for (const [name, value] of list) {
    if (!name.startsWith('__') || KEPT_RESERVED.has(name)) merged.set(name, value)
  }
  for (const [name, value] of Object.entries(external)) merged.set(name, value)

  if ((merged.get('service_name') ?? '') === '') {
    return { ok: false, reason: `${INVALID_LABELS_PREFIX}service name is required` }
  }
  const out = [...merged.entries()]
  out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return { ok: true, labels: out }
}

/**
 * Alloy's validation of a label list, without the prefix; undefined when valid. Shared with the receiver,
 * which gets labels as a list from the wire and so can see duplicates.
 */
export function validateLabelList(list: LabelList): string | undefined {
  if (list.length === 0) return 'service name is required'
  const seen = new Set<string>()
  for (const [name, value] of list) {
    if (seen.has(name)) return `duplicate label name: ${name}`
    seen.add(name)
    if (!isValidLabelName(name)) return `invalid label name: ${JSON.stringify(name)}`
    if (LONE_SURROGATE.test(value)) return `invalid label value for ${name}: ${JSON.stringify(value)}`
  }
  return undefined
}

export function isValidLabelName(name: string): boolean {
  return name === '__name__' || VALID_NAME.test(name)
}
