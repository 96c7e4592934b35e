/**
 * Loads a parsed config into components and runs them.
 *
 * Load: build the graph, then in dependency order evaluate each component's body (with the exports of the
 * components before it in scope), decode it against the schema, and — in run mode — build the component.
 * Any diagnostic means nothing is built. Run: every component runs with its own AbortController; on
 * shutdown they are stopped in reverse dependency order (scrapers before the writers they feed), each one
 * awaited. When a component publishes new exports, only the components that depend on it (transitively)
 * are re-evaluated; a re-evaluation error marks that component unhealthy and keeps its previous arguments.
 * Reload: a new file is evaluated whole against the running exports before anything changes; when it is
 * valid, removed components stop, new ones start, and only those whose arguments changed are updated
 * (docs/operations.md).
 */
import type { Registry } from 'prom-client'
import type { File } from '../syntax/index.js'
import type { Diagnostic } from '../syntax/index.js'
import { evaluate, stdlib } from '../syntax/index.js'
import { valuesEqual } from '../syntax/index.js'
import type { ValueObject } from '../syntax/index.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import type { Component, Health } from './component.js'
import type { AgentServices } from './services.js'
import { argsEqual } from './args-equal.js'
import { decodeBlockBody } from './decode.js'
import { buildGraph } from './graph.js'
import { exportsScope, formatWarnings } from './scope.js'
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
  /** Absent when a config is only checked: nothing is built then. */
  readonly services?: AgentServices
}

export interface LoadedComponent {
  readonly id: string
  node: GraphNode
  args: unknown
  /** The decoded arguments by their config names, defaults included (what the UI shows in Alloy syntax). */
  values?: Readonly<Record<string, unknown>> | undefined
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

export interface ReloadResult {
  readonly diagnostics: Diagnostic[]
  readonly warnings: Diagnostic[]
  /** Component ids per change; empty when the reload was refused. */
  readonly added: string[]
  readonly removed: string[]
  readonly updated: string[]
  readonly unchanged: string[]
}

interface Decoded {
  readonly args: unknown
  readonly values?: Readonly<Record<string, unknown>> | undefined
  readonly diagnostics: Diagnostic[]
  readonly warnings: Diagnostic[]
}

interface RunningComponent {
  readonly stop: AbortController
  readonly done: Promise<void>
}

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
      values: result.values,
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
  #graph: Graph
  readonly #options: ControllerOptions
  readonly #running = new Map<string, RunningComponent>()
  /** Set while run() is active: components added by a reload start at once. */
  #runSignal: AbortSignal | undefined
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
  decode(node: GraphNode, components: ReadonlyMap<string, LoadedComponent> = this.components): Decoded {
    const scope = exportsScope(components.values(), this.#options.env)
    const result = decodeBlockBody(node.block.body, node.definition.arguments, node.block.nameSpan, (expr) =>
      evaluate(expr, scope)
    )
    if (result.diagnostics.length > 0) return { args: undefined, diagnostics: result.diagnostics, warnings: result.warnings }
    return { args: node.definition.toArguments(result.values, node.label), values: result.values, diagnostics: [], warnings: result.warnings }
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
    const services = this.#options.services
    if (services === undefined) throw new Error('cannot be built without the agent services (the config was loaded to be checked)')
    const options = {
      id: node.id,
      label: node.label,
      logger,
      metrics: this.#options.metrics,
      clock: this.#options.clock,
      storagePath: this.#options.storagePath,
      services,
      onStateChange: (exports: ValueObject) => this.#onStateChange(node.id, exports)
    }
    return node.definition.build(options, loaded.args, loaded.exports)
  }

  /** Runs every component until `signal` aborts, then stops them in reverse dependency order. */
  async run(signal: AbortSignal): Promise<void> {
    this.#runSignal = signal
    for (const node of this.#graph.order) this.#start(node.id)
    await untilAborted(signal)
    const ids = this.#graph.order.map((n) => n.id).reverse()
    // Components removed by a reload are still stopping: wait for them too.
    for (const id of [...ids, ...[...this.#running.keys()].filter((k) => !ids.includes(k))]) await this.#stop(id)
  }

  #start(id: string): void {
    const loaded = this.components.get(id)
    const component = loaded?.component
    if (!loaded || !component || this.#running.has(id)) return
    const stop = new AbortController()
    const done = component.run(stop.signal).catch((err: unknown) => {
      // Kept apart from evaluation health: a later successful re-evaluation must not hide a dead component.
      loaded.runFailure = { state: 'unhealthy', message: `component stopped with an error: ${String(err)}`, updatedAt: this.#options.clock.now() }
      this.#options.logger.error({ component: id, err }, 'component stopped with an error')
    })
    this.#running.set(id, { stop, done })
  }

  async #stop(id: string): Promise<void> {
    const r = this.#running.get(id)
    if (!r) return
    r.stop.abort()
    await r.done
    this.#running.delete(id)
  }

  /**
   * Loads `file` in place of the running config. Every component of the new file is evaluated (against the
   * exports the running components publish now) and new ones are built before anything changes: any
   * diagnostic refuses the whole file and the running config stays. Then removed components stop, new ones
   * start, and a kept component gets update() only when its arguments differ.
   */
  reload(file: File): ReloadResult {
    const refused = (diagnostics: Diagnostic[], warnings: Diagnostic[] = []): ReloadResult => ({ diagnostics, warnings, added: [], removed: [], updated: [], unchanged: [] })
    const { graph, diagnostics } = buildGraph(file, this.#options.registry, isStdlibName)
    if (diagnostics.length > 0) return refused(diagnostics)
    const staged = new Map<string, LoadedComponent>()
    const warnings: Diagnostic[] = []
    const now = this.#options.clock.now()
    for (const node of graph.order) {
      const old = this.components.get(node.id)
      const exports = old?.exports ?? node.definition.initialExports(node.label)
      // Decoded against what is staged so far (dependencies come first), so new references resolve.
      staged.set(node.id, { id: node.id, node, args: undefined, exports, component: undefined, evaluationHealth: { state: 'unknown', message: '', updatedAt: now } })
      const result = this.decode(node, staged)
      diagnostics.push(...result.diagnostics)
      warnings.push(...result.warnings)
      const entry = staged.get(node.id)
      if (entry) Object.assign(entry, { args: result.args, values: result.values })
    }
    if (diagnostics.length > 0) return refused(diagnostics, warnings)

    const added = graph.order.filter((n) => !this.components.has(n.id))
    const built = new Map<string, Component<unknown>>()
    for (const node of added) {
      const loaded = staged.get(node.id)
      if (!loaded) continue
      try {
        built.set(node.id, this.#build(node, loaded, this.#options.logger.child({ component: node.id })))
      } catch (err) {
        diagnostics.push({ span: node.block.nameSpan, message: `${node.id}: ${err instanceof Error ? err.message : String(err)}` })
      }
    }
    if (diagnostics.length > 0) return refused(diagnostics, warnings)

    const removed = [...this.components.keys()].filter((id) => !graph.byId.has(id))
    const updated: string[] = []
    const unchanged: string[] = []
    this.#graph = graph
    for (const id of removed) {
      this.components.delete(id)
      void this.#stop(id)
    }
    for (const node of graph.order) {
      const next = staged.get(node.id)
      const old = this.components.get(node.id)
      if (!next) continue
      if (!old) {
        this.components.set(node.id, { ...next, component: built.get(node.id), loggedWarnings: '' })
        continue
      }
      old.node = node
      if (argsEqual(old.args, next.args)) {
        unchanged.push(node.id)
        continue
      }
      updated.push(node.id)
      this.#apply(old, next, now)
    }
    if (this.#runSignal && !this.#runSignal.aborted) for (const node of added) this.#start(node.id)
    return { diagnostics, warnings, added: added.map((n) => n.id), removed, updated, unchanged }
  }

  /** Gives a running component new arguments; a failure keeps the previous ones and marks it unhealthy. */
  #apply(loaded: LoadedComponent, next: Pick<Decoded, 'args' | 'values'>, now: number): boolean {
    try {
      loaded.component?.update(next.args)
    } catch (err) {
      // An update that cannot be applied (e.g. a new TLS file that cannot be read) leaves the component on its
      // previous arguments; it must never take the process down.
      const message = `update failed, keeping previous arguments: ${err instanceof Error ? err.message : String(err)}`
      loaded.evaluationHealth = { state: 'unhealthy', message, updatedAt: now }
      this.#options.logger.error({ component: loaded.id, err: message }, 'component update failed')
      return false
    }
    loaded.evaluationHealth = { state: 'healthy', message: '', updatedAt: now }
    loaded.args = next.args
    loaded.values = next.values
    return true
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
      this.#apply(loaded, result, now)
    }
  }

}
