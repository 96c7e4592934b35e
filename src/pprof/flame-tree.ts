/**
 * A pprof profile as the tree a flame graph draws: each node is a function, its value the total of the
 * samples whose stack passes through it, its children the functions it called. Stacks run root first
 * (pprof stores them leaf first; a location's inlined lines are innermost first too). Pure.
 *
 * Bounded output: nodes worth less than 1/MAX_NODES of the total are left out (narrower than a pixel on
 * any screen, and their time still shows in the parent), and the tree is then cut to MAX_NODES nodes by
 * value, so the page stays light whatever the profile. Leaving out a child never breaks the tree: a parent
 * is worth at least as much as each child. Stacks deeper than MAX_DEPTH frames are cut there.
 */
import type { Profile } from 'pprof-format'

export interface FlameNode {
  readonly name: string
  value: number
  readonly children: FlameNode[]
}

export interface FlameTree {
  /** Every sample type of the profile, as `type/unit` strings, in profile order. */
  readonly sample_types: readonly string[]
  /** The one drawn: the asked-for type, else the profile's default, else the last (as `go tool pprof`). */
  readonly sample_type: string
  readonly unit: string
  readonly total: number
  /** Nodes left out by the bound. */
  readonly omitted_nodes: number
  readonly root: FlameNode
}

export const MAX_NODES = 5_000
/** Frames past this depth are left out (their time shows in the deepest frame kept); it also bounds recursion. */
export const MAX_DEPTH = 1_024

export function flameTree(profile: Profile, wanted?: string): FlameTree {
  const strings = profile.stringTable.strings
  const text = (i: number | bigint): string => strings[Number(i)] ?? ''
  const types = profile.sampleType.map((t) => `${text(t.type)}/${text(t.unit)}`)
  const index = pickSampleType(profile, types, text, wanted)
  const names = functionNames(profile, text)
  const frames = locationFrames(profile, names)
  const root: FlameNode = { name: 'total', value: 0, children: [] }
  const childIndex = new Map<FlameNode, Map<string, FlameNode>>()
  for (const sample of profile.sample) {
    const value = Number(sample.value[index] ?? 0)
    if (!Number.isFinite(value) || value <= 0) continue
    root.value += value
    let node = root
    let depth = 0
    for (let i = sample.locationId.length - 1; i >= 0 && depth < MAX_DEPTH; i--) {
      for (const name of frames.get(String(sample.locationId[i])) ?? ['?']) {
        if (++depth > MAX_DEPTH) break
        node = child(node, name, childIndex)
        node.value += value
      }
    }
  }
  const all = countNodes(root)
  const kept = prune(root)
  const [type = '', unit = ''] = (types[index] ?? '/').split('/')
  return { sample_types: types, sample_type: type, unit, total: root.value, omitted_nodes: all - kept, root }
}

function pickSampleType(profile: Profile, types: readonly string[], text: (i: number | bigint) => string, wanted: string | undefined): number {
  const byName = wanted === undefined ? -1 : types.findIndex((t) => t.split('/')[0] === wanted)
  if (byName >= 0) return byName
  const fallback = text(profile.defaultSampleType)
  const byDefault = fallback === '' ? -1 : types.findIndex((t) => t.split('/')[0] === fallback)
  return byDefault >= 0 ? byDefault : Math.max(0, types.length - 1)
}

function functionNames(profile: Profile, text: (i: number | bigint) => string): Map<string, string> {
  const names = new Map<string, string>()
  for (const f of profile.function) names.set(String(f.id), text(f.name) || text(f.systemName) || '?')
  return names
}

/** Location id → function names, caller first (inlined frames included). */
function locationFrames(profile: Profile, names: ReadonlyMap<string, string>): Map<string, string[]> {
  const frames = new Map<string, string[]>()
  for (const loc of profile.location) {
    const list = loc.line.map((l) => names.get(String(l.functionId)) ?? '?').reverse()
    frames.set(String(loc.id), list.length > 0 ? list : [`0x${BigInt(loc.address).toString(16)}`])
  }
  return frames
}

function child(node: FlameNode, name: string, index: Map<FlameNode, Map<string, FlameNode>>): FlameNode {
  let children = index.get(node)
  if (!children) {
    children = new Map()
    index.set(node, children)
  }
  let found = children.get(name)
  if (!found) {
    found = { name, value: 0, children: [] }
    children.set(name, found)
    node.children.push(found)
  }
  return found
}

/** Drops nodes under the threshold, then the smallest until MAX_NODES remain; returns the nodes kept. */
function prune(root: FlameNode): number {
  let threshold = root.value / MAX_NODES
  const values: number[] = []
  const collect = (n: FlameNode): void => {
    for (const c of n.children) {
      if (c.value < threshold) continue
      values.push(c.value)
      collect(c)
    }
  }
  collect(root)
  if (values.length >= MAX_NODES) threshold = values.sort((a, b) => b - a)[MAX_NODES - 2] ?? threshold
  let kept = 1
  const cut = (n: FlameNode): void => {
    const keep = n.children.filter((c) => c.value >= threshold && kept < MAX_NODES)
    n.children.length = 0
    for (const c of keep) {
      kept++
      n.children.push(c)
      cut(c)
    }
  }
  cut(root)
  return kept
}

function countNodes(n: FlameNode): number {
  return 1 + n.children.reduce((sum, c) => sum + countNodes(c), 0)
}
