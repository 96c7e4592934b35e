/**
 * The component contract (Alloy's component.Component in TypeScript).
 *
 * A definition declares the component's name, argument schema and exports. The controller decodes the
 * arguments once into frozen plain data, builds the component, and calls `run(signal)`: it resolves after
 * the component released everything it opened, once `signal` aborts. `update(args)` may be called at any
 * time while running (when an upstream export changes); the component applies it without restarting what
 * did not change. Exports flow out through `onStateChange`.
 */
import type { Registry } from 'prom-client'
import type { ValueObject } from '../syntax/index.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import type { BlockSpec, TypeSpec } from './schema.js'
import type { AgentServices } from './services.js'

export type HealthState = 'healthy' | 'unhealthy' | 'unknown'

export interface Health {
  readonly state: HealthState
  readonly message: string
  readonly updatedAt: number
}

export interface ComponentOptions {
  /** Full id, e.g. "pyroscope.scrape.local". */
  readonly id: string
  readonly label: string
  readonly logger: Logger
  readonly metrics: Registry
  readonly clock: Clock
  /** Folder for the component's state (node identity, stores), `--storage.path`. */
  readonly storagePath: string
  readonly services: AgentServices
  /** Publishes new exports; dependants are re-evaluated when they differ from the previous ones. */
  onStateChange(exports: ValueObject): void
}

export interface Component<Args> {
  update(args: Args): void
  run(signal: AbortSignal): Promise<void>
  /** Plain, secret-free data for the debug API. */
  debugInfo?(): unknown
  health?(): Health
}

export interface ComponentDefinition<Args = unknown> {
  /** Dotted name, e.g. "pyroscope.scrape". */
  readonly name: string
  readonly arguments: BlockSpec
  /** Export names and types (references to other names are config errors). */
  readonly exports: Readonly<Record<string, TypeSpec>>
  /** Turns decoded values into the component's frozen arguments. */
  toArguments(values: Record<string, unknown>, label: string): Args
  /**
   * Exports as seen before the component runs: what `check` and `targets` evaluate dependants with, and the
   * value the first evaluation of dependants sees. A receiver capsule is created here, so that dependants can
   * hold it before the component starts.
   */
  initialExports(label: string): ValueObject
  build(options: ComponentOptions, args: Args, initialExports: ValueObject): Component<Args>
}
