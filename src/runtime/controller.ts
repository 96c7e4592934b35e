/**
 * Loads a parsed config into components and runs them.
 *
 * Load: build the graph, then in dependency order evaluate each component's body (with the exports of the
 * components before it in scope), decode it against the schema, and — in run mode — build the component.
 * Any diagnostic means nothing is built. Run: every component runs with its own AbortController; on
 * shutdown they are stopped in reverse dependency order (scrapers before the writers they feed), each one
 * awaited. When a component publishes new exports, only the components that depend on it (transitively)
 * are re-evaluated; a re-evaluation error marks that component unhealthy and keeps its previous arguments.
 */
import type { Registry } from 'prom-client'
import type { File } from '../syntax/ast.js'
import type { Diagnostic } from '../syntax/diagnostics.js'
import { evaluate, stdlib } from '../syntax/index.js'
import type { Scope } from '../syntax/index.js'
import { makeObject, valuesEqual } from '../syntax/value.js'
import type { Value, ValueObject } from '../syntax/value.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import type { Component, ComponentServices, Health } from './component.js'
import { decodeBlockBody } from './decode.js'
import { buildGraph } from './graph.js'
import type { Graph, GraphNode } from './graph.js'
import type { ComponentRegistry } from './registry.js'
import { untilAborted } from '../util/signals.js'

export interface ControllerOptions {
  readonly registry: ComponentRegistry
  readonly env: (name: string) => string | undefined
  readonly logger: Logger
  readonly metrics: Registry
  readonly clock: Clock
  readonly storagePath: string
  readonly services: ComponentServices
}

export interface LoadedComponent {
  readonly id: string
  readonly node: GraphNode
  args: unknown
  exports: ValueObject
  component: Component<unknown> | undefined
  /** Health from evaluation (a failed re-evaluation makes it unhealthy). */
  evaluationHealth: Health
  /** Set when the component's run() failed; never cleared. */
  runFailure?: Health
  /** The warnings last logged for this component, so that a repeated one is not logged again. */
  loggedWarnings?: string
}

export interface LoadResult {
  readonly diagnostics: Diagnostic[]
  readonly warnings: Diagnostic[]
  /** Present when there were no diagnostics. */
  readonly controller?: Controller
}

export type LoadMode = 'check' | 'run'

const isStdlibName = (name: string): boolean => Object.hasOwn(stdlib, name)

export function loadConfig(file: File, options: ControllerOptions, mode: LoadMode): LoadResult {
  const { graph, diagnostics } = buildGraph(file, options.registry, isStdlibName)
  const warnings: Diagnostic[] = []
  if (diagnostics.length > 0) return { diagnostics, warnings }

  const controller = new Controller(graph, options)
  for (const node of graph.order) {
    const result = controller.decode(node)
    diagnostics.push(...result.diagnostics)
    warnings.push(...result.warnings)
    const initialExports = node.definition.initialExports(node.label)
    controller.components.set(node.id, {
      id: node.id,
      node,
      args: result.args,
      exports: initialExports,
      component: undefined,
      evaluationHealth: { state: 'unknown', message: '', updatedAt: options.clock.now() },
      // Load-time warnings are reported by the caller (check prints them, run logs them).
      loggedWarnings: formatWarnings(result.warnings)
    })
  }
  if (diagnostics.length > 0) return { diagnostics, warnings }
  if (mode === 'run') diagnostics.push(...controller.buildAll())
  if (diagnostics.length > 0) return { diagnostics, warnings }
  return { diagnostics, warnings, controller }
}

export class Controller {
  readonly components = new Map<string, LoadedComponent>()
  readonly #graph: Graph
  readonly #options: ControllerOptions
  readonly #dirty = new Set<string>()
  #reevaluationScheduled = false

  constructor(graph: Graph, options: ControllerOptions) {
    this.#graph = graph
    this.#options = options
  }

  get order(): readonly GraphNode[] {
    return this.#graph.order
  }

  /** Evaluates and decodes one component's body against the current exports of the others. */
  decode(node: GraphNode): { args: unknown; diagnostics: Diagnostic[]; warnings: Diagnostic[] } {
    const scope = this.#scope()
    const result = decodeBlockBody(node.block.body, node.definition.arguments, node.block.nameSpan, (expr) =>
      evaluate(expr, scope)
    )
    if (result.diagnostics.length > 0) return { args: undefined, diagnostics: result.diagnostics, warnings: result.warnings }
    return { args: node.definition.toArguments(result.values, node.label), diagnostics: [], warnings: result.warnings }
  }

  /**
   * Builds every component. A component that cannot be built (e.g. an unreadable TLS file) is reported as a
   * diagnostic at its block, like any other config error, and nothing runs.
   */
  buildAll(): Diagnostic[] {
    const diagnostics: Diagnostic[] = []
    for (const node of this.#graph.order) {
      const loaded = this.components.get(node.id)
      if (!loaded) continue
      const logger = this.#options.logger.child({ component: node.id })
      try {
        loaded.component = this.#build(node, loaded, logger)
      } catch (err) {
        diagnostics.push({ span: node.block.nameSpan, message: `${node.id}: ${err instanceof Error ? err.message : String(err)}` })
      }
    }
    return diagnostics
  }

  #build(node: GraphNode, loaded: LoadedComponent, logger: Logger): Component<unknown> {
    const options = {
      id: node.id,
      label: node.label,
      logger,
      metrics: this.#options.metrics,
      clock: this.#options.clock,
      storagePath: this.#options.storagePath,
      services: this.#options.services,
      onStateChange: (exports: ValueObject) => this.#onStateChange(node.id, exports)
    }
    return node.definition.build(options, loaded.args, loaded.exports)
  }

  /** Runs every component until `signal` aborts, then stops them in reverse dependency order. */
  async run(signal: AbortSignal): Promise<void> {
    const running: { id: string; stop: AbortController; done: Promise<void> }[] = []
    for (const node of this.#graph.order) {
      const loaded = this.components.get(node.id)
      const component = loaded?.component
      if (!loaded || !component) continue
      const stop = new AbortController()
      const done = component.run(stop.signal).catch((err: unknown) => {
        // Kept apart from evaluation health: a later successful re-evaluation must not hide a dead component.
        loaded.runFailure = { state: 'unhealthy', message: `component stopped with an error: ${String(err)}`, updatedAt: this.#options.clock.now() }
        this.#options.logger.error({ component: node.id, err }, 'component stopped with an error')
      })
      running.push({ id: node.id, stop, done })
    }
    await untilAborted(signal)
    for (const r of running.reverse()) {
      r.stop.abort()
      await r.done
    }
  }

  health(id: string): Health {
    const loaded = this.components.get(id)
    if (!loaded) return { state: 'unknown', message: 'no such component', updatedAt: 0 }
    if (loaded.runFailure) return loaded.runFailure
    if (loaded.evaluationHealth.state === 'unhealthy') return loaded.evaluationHealth
    return loaded.component?.health?.() ?? { state: 'healthy', message: '', updatedAt: loaded.evaluationHealth.updatedAt }
  }

  #onStateChange(id: string, exports: ValueObject): void {
    const loaded = this.components.get(id)
    if (!loaded || valuesEqual(loaded.exports, exports)) return
    loaded.exports = exports
    for (const dependant of this.#graph.dependants.get(id) ?? []) this.#dirty.add(dependant)
    if (!this.#reevaluationScheduled) {
      this.#reevaluationScheduled = true
      queueMicrotask(() => this.#reevaluate())
    }
  }

  /** Re-evaluates dirty components in dependency order (dirty marks propagate when exports change). */
  #reevaluate(): void {
    this.#reevaluationScheduled = false
    for (const node of this.#graph.order) {
      if (!this.#dirty.delete(node.id)) continue
      const loaded = this.components.get(node.id)
      if (!loaded) continue
      const result = this.decode(node)
      const now = this.#options.clock.now()
      if (result.diagnostics.length > 0) {
        const message = result.diagnostics.map((d) => `${d.span.start.line}:${d.span.start.column}: ${d.message}`).join('; ')
        loaded.evaluationHealth = { state: 'unhealthy', message: `re-evaluation failed, keeping previous arguments: ${message}`, updatedAt: now }
        this.#options.logger.warn({ component: node.id, error: message }, 're-evaluation failed; keeping previous arguments')
        continue
      }
      // The same warning comes back on every re-evaluation (e.g. each discovery refresh): log it once.
      const warnings = formatWarnings(result.warnings)
      if (warnings !== '' && warnings !== loaded.loggedWarnings) {
        for (const w of result.warnings) this.#options.logger.warn({ component: node.id, line: w.span.start.line }, w.message)
      }
      loaded.loggedWarnings = warnings
      try {
        loaded.component?.update(result.args)
      } catch (err) {
        // An update that cannot be applied (e.g. a new TLS file that cannot be read) leaves the component on its
        // previous arguments; it must never take the process down.
        const message = `update failed, keeping previous arguments: ${err instanceof Error ? err.message : String(err)}`
        loaded.evaluationHealth = { state: 'unhealthy', message, updatedAt: now }
        this.#options.logger.error({ component: node.id, err: message }, 'component update failed')
        continue
      }
      loaded.evaluationHealth = { state: 'healthy', message: '', updatedAt: now }
      loaded.args = result.args
    }
  }

  /** The evaluation scope: component exports as nested objects (`discovery.http.x.targets`). */
  #scope(): Scope {
    const root = new Map<string, Value>()
    for (const loaded of this.components.values()) {
      const segments = loaded.id.split('.')
      root.set(segments[0] ?? '', insertPath(root.get(segments[0] ?? '') ?? null, segments.slice(1), loaded.exports))
    }
    return { lookup: (name) => root.get(name), env: this.#options.env }
  }
}

/** Returns a copy of `tree` (an object or null) with `value` placed at `path`. */
function insertPath(tree: Value, path: readonly string[], value: Value): Value {
  const [head, ...rest] = path
  if (head === undefined) return value
  const base = tree !== null && typeof tree === 'object' && !Array.isArray(tree) ? (tree as ValueObject) : makeObject([])
  const child = Object.hasOwn(base, head) ? (base[head] as Value) : null
  return makeObject([...Object.entries(base), [head, insertPath(child, rest, value)]])
}

function formatWarnings(warnings: readonly Diagnostic[]): string {
  return warnings.map((w) => `${w.span.start.line}:${w.span.start.column}: ${w.message}`).join('\n')
}
