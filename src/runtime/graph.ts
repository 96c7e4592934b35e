/**
 * Builds the component graph of a config file: which top-level blocks are components, which components
 * each one references, and an evaluation order. Pure: no evaluation, no I/O.
 *
 * A reference is a chain `a.b.c.d` in any expression of a component's body. It points at component X when
 * X's id segments (name + label) are a prefix of the chain; the next segment must be one of X's exports.
 * Chains that start with a standard-library name are not references.
 */
import type { Block, Expr, File, Statement } from '../syntax/index.js'
import type { Diagnostic, Span } from '../syntax/index.js'
import { collectReferences, stdlib } from '../syntax/index.js'
import type { ComponentDefinition } from './component.js'
import type { ComponentRegistry } from './registry.js'
import { didYouMean } from '../util/suggest.js'

export interface GraphNode {
  readonly id: string
  readonly label: string
  readonly definition: ComponentDefinition
  readonly block: Block
  /** Ids of the components this one references. */
  readonly dependencies: ReadonlySet<string>
}

export interface Graph {
  /** Nodes in evaluation order: every node comes after its dependencies. */
  readonly order: readonly GraphNode[]
  readonly byId: ReadonlyMap<string, GraphNode>
  /** id → ids of components that reference it directly. */
  readonly dependants: ReadonlyMap<string, ReadonlySet<string>>
}

export function buildGraph(
  file: File,
  registry: ComponentRegistry,
  isStdlibName: (name: string) => boolean
): { graph: Graph; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = []
  const declared = new Map<string, { block: Block; definition: ComponentDefinition; label: string }>()

  for (const stmt of file.body) {
    if (stmt.kind === 'attribute') {
      diagnostics.push({ span: stmt.nameSpan, message: `unexpected attribute "${stmt.name}" at the top level; expected a component block` })
      continue
    }
    const name = stmt.name.join('.')
    const definition = registry.get(name)
    if (!definition) {
      diagnostics.push({
        span: stmt.nameSpan,
        message: `component "${name}" is not supported by shardscope${didYouMean(name, registry.names())} (supported: ${registry.names().join(', ')})`
      })
      continue
    }
    if (stmt.label === undefined) {
      diagnostics.push({ span: stmt.nameSpan, message: `component "${name}" must have a label` })
      continue
    }
    const id = `${name}.${stmt.label}`
    const previous = declared.get(id)
    if (previous) {
      diagnostics.push({
        span: stmt.labelSpan ?? stmt.nameSpan,
        message: `component "${id}" is declared more than once (first at line ${previous.block.nameSpan.start.line})`
      })
      continue
    }
    declared.set(id, { block: stmt, definition, label: stmt.label })
  }

  const namespaces = registry.namespaces()
  const nodes = new Map<string, GraphNode>()
  for (const [id, d] of declared) {
    const dependencies = new Set<string>()
    for (const ref of referencesIn(d.block.body)) {
      const target = resolveReference(ref.path, declared)
      if (target) {
        const exportName = ref.path[target.segments]
        const targetDef = declared.get(target.id)?.definition
        if (exportName === undefined) {
          diagnostics.push({ span: ref.span, message: `component "${target.id}" cannot be used as a value; reference one of its exports` })
        } else if (targetDef && !Object.hasOwn(targetDef.exports, exportName)) {
          const names = Object.keys(targetDef.exports)
          diagnostics.push({
            span: ref.span,
            message: `component "${target.id}" does not export "${exportName}"${didYouMean(exportName, names)}${names.length ? ` (exports: ${names.join(', ')})` : ' (it exports nothing)'}`
          })
        } else {
          dependencies.add(target.id)
        }
        continue
      }
      const head = ref.path[0] ?? ''
      if (isStdlibName(head)) continue
      if (namespaces.has(head)) {
        const missing = guessComponentId(ref.path, registry)
        diagnostics.push({ span: ref.span, message: `reference to a component that does not exist: "${missing}"${didYouMean(missing, declared.keys())}` })
      } else {
        diagnostics.push({ span: ref.span, message: `identifier "${head}" does not exist${didYouMean(head, [...Object.keys(stdlib), ...namespaces])}` })
      }
    }
    nodes.set(id, { id, label: d.label, definition: d.definition, block: d.block, dependencies })
  }

  const order = topologicalOrder(nodes, diagnostics)
  const dependants = new Map<string, Set<string>>()
  for (const n of nodes.values()) {
    for (const dep of n.dependencies) {
      const set = dependants.get(dep) ?? new Set<string>()
      set.add(n.id)
      dependants.set(dep, set)
    }
  }
  return { graph: { order, byId: nodes, dependants }, diagnostics }
}

function referencesIn(body: readonly Statement[]): { path: string[]; span: Span }[] {
  const out: { path: string[]; span: Span }[] = []
  const visit = (stmts: readonly Statement[]): void => {
    for (const s of stmts) {
      if (s.kind === 'attribute') out.push(...collectReferences(s.value as Expr))
      else visit(s.body)
    }
  }
  visit(body)
  return out
}

function resolveReference(
  path: readonly string[],
  declared: ReadonlyMap<string, unknown>
): { id: string; segments: number } | undefined {
  // Longest prefix wins, so "a.b.c" beats "a.b" if both were ever declared.
  for (let n = path.length; n >= 2; n--) {
    const id = path.slice(0, n).join('.')
    if (declared.has(id)) return { id, segments: n }
  }
  return undefined
}

/** The component id a dangling reference most likely meant, for the error message. */
function guessComponentId(path: readonly string[], registry: ComponentRegistry): string {
  for (let n = path.length - 1; n >= 1; n--) {
    if (registry.get(path.slice(0, n).join('.'))) return path.slice(0, n + 1).join('.')
  }
  return path.join('.')
}

/** Kahn's algorithm in declaration order; a cycle is reported once with its members. */
function topologicalOrder(nodes: ReadonlyMap<string, GraphNode>, diagnostics: Diagnostic[]): GraphNode[] {
  const order: GraphNode[] = []
  const placed = new Set<string>()
  let progress = true
  while (progress && placed.size < nodes.size) {
    progress = false
    for (const n of nodes.values()) {
      if (placed.has(n.id)) continue
      if ([...n.dependencies].every((d) => placed.has(d) || !nodes.has(d))) {
        order.push(n)
        placed.add(n.id)
        progress = true
      }
    }
  }
  if (placed.size < nodes.size) {
    const cycle = findCycle(nodes, placed)
    const first = nodes.get(cycle[0] ?? '')
    if (first) {
      diagnostics.push({ span: first.block.nameSpan, message: `cycle detected: ${[...cycle, cycle[0]].join(' -> ')}` })
    }
  }
  return order
}

function findCycle(nodes: ReadonlyMap<string, GraphNode>, placed: ReadonlySet<string>): string[] {
  const start = [...nodes.keys()].find((id) => !placed.has(id)) ?? ''
  const path: string[] = []
  const index = new Map<string, number>()
  let current: string | undefined = start
  while (current !== undefined && !index.has(current)) {
    index.set(current, path.length)
    path.push(current)
    const deps: string[] = [...(nodes.get(current)?.dependencies ?? [])].filter((d) => !placed.has(d))
    current = deps[0]
  }
  return current === undefined ? path : path.slice(index.get(current))
}
