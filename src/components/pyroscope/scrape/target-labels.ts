/**
 * Label rules of target expansion (targets.ts): Alloy's service_name inference and "absent" rule, the
 * well-formedness check, and the sorted, frozen label objects each scrape carries.
 */
import type { Labels } from '../../../util/labels.js'
import { redactAddress } from '../../../http/index.js'
import { ADDRESS_LABEL, PARAM_LABEL_PREFIX } from './scrape-url.js'

export type MutableLabels = Record<string, string>

/** service_name when the target has none, in the spec's order (Alloy `inferServiceName`). */
export function inferServiceName(labels: Labels): string {
  const k8sService = labels['__meta_kubernetes_pod_annotation_pyroscope_io_service_name']
  if (k8sService) return k8sService
  const namespace = labels['__meta_kubernetes_namespace']
  const container = labels['__meta_kubernetes_pod_container_name']
  if (namespace && container) return `${namespace}/${container}`
  return (
    labels['__meta_docker_container_name'] ||
    labels['__meta_dockerswarm_container_label_service_name'] ||
    labels['__meta_dockerswarm_service_name'] ||
    'unspecified'
  )
}

/** Labels to show: a password in `__address__` becomes `xxxxx` (the scrape URL keeps it to log in). */
export function withRedactedAddress(labels: Labels): Labels {
  const address = labels[ADDRESS_LABEL]
  return address === undefined || !address.includes('@') ? labels : { ...labels, [ADDRESS_LABEL]: redactAddress(address) }
}

/** Alloy's rule for both "absent" and the value: an empty label counts as absent, an empty value is not set. */
export function setIfAbsent(labels: MutableLabels, name: string, value: string): void {
  if (!labels[name] && value !== '') labels[name] = value
}

export function pick(labels: Labels, names: readonly string[]): MutableLabels {
  const out: MutableLabels = {}
  for (const name of names) out[name] = labels[name] ?? ''
  return out
}

/**
 * `labels` with up to two labels set, added or replacing a value (`first` sorts before `second`; a value
 * of undefined leaves that label out), frozen, keys in sorted order. `names` are the sorted names of
 * `labels`. Each result is a copy of a template with the same keys (one per target and pattern, kept in
 * `templates`), which costs far less than building it key by key for each of a target's scrapes.
 */
export function withLabels(
  templates: (Labels | undefined)[],
  names: readonly string[],
  labels: Labels,
  first: string,
  firstValue: string | undefined,
  second: string,
  secondValue: string | undefined
): Labels {
  const pattern = (firstValue === undefined ? 0 : 1) + (secondValue === undefined ? 0 : 2)
  let template = templates[pattern]
  if (template === undefined) {
    const extra: [string, string][] = []
    if (firstValue !== undefined) extra.push([first, firstValue])
    if (secondValue !== undefined) extra.push([second, secondValue])
    // Frozen: V8 then copies it and freezes the copy cheaply (a copy of an unfrozen object took 3× the memory once frozen).
    templates[pattern] = template = Object.freeze(sortedWith(names, labels, extra))
  }
  const out: MutableLabels = { ...template }
  if (firstValue !== undefined) out[first] = firstValue
  if (secondValue !== undefined) out[second] = secondValue
  return Object.freeze(out)
}

/** `labels` with `extra` set; `names` are the sorted names of `labels`, `extra` is sorted by name. */
function sortedWith(names: readonly string[], labels: Labels, extra: readonly (readonly [string, string])[]): Labels {
  const out: MutableLabels = {}
  let e = 0
  let next = extra[0]
  for (const name of names) {
    for (; next !== undefined && next[0] < name; next = extra[++e]) out[next[0]] = next[1]
    if (next !== undefined && next[0] === name) {
      out[name] = next[1]
      next = extra[++e]
    } else {
      out[name] = labels[name] ?? ''
    }
  }
  for (; next !== undefined; next = extra[++e]) out[next[0]] = next[1]
  return out
}

const SURROGATE = /[\uD800-\uDFFF]/

/** JS strings hold UTF-16; a lone surrogate is what invalid UTF-8 becomes, and cannot be encoded. */
export function isWellFormed(value: string): boolean {
  if (!SURROGATE.test(value)) return true
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)
}

/** Whether the target sets `__param_*` labels itself (else its query is the config's alone). */
export function hasParamLabel(labels: Labels): boolean {
  for (const name in labels) if (name.startsWith(PARAM_LABEL_PREFIX)) return true
  return false
}
