/** The set of component definitions a process knows, by dotted name. */
import type { ComponentDefinition } from './component.js'

export class ComponentRegistry {
  readonly #definitions = new Map<string, ComponentDefinition>()

  constructor(definitions: readonly ComponentDefinition[] = []) {
    for (const d of definitions) this.register(d)
  }

  register(definition: ComponentDefinition): void {
    if (this.#definitions.has(definition.name)) throw new Error(`component ${definition.name} registered twice`)
    this.#definitions.set(definition.name, definition)
  }

  get(name: string): ComponentDefinition | undefined {
    return this.#definitions.get(name)
  }

  names(): string[] {
    return [...this.#definitions.keys()].sort()
  }

  /** First segments of every registered name ("pyroscope", "discovery"), used to tell references from stdlib. */
  namespaces(): Set<string> {
    return new Set([...this.#definitions.keys()].map((n) => n.split('.')[0] ?? n))
  }
}
