/**
 * The profile types pyroscope.scrape knows by default (docs/components.md "Default profile types") and the naming
 * rules around godeltaprof. A config's `profile.<type>` blocks merge over these; `profile.custom`
 * blocks add types with their own name.
 */

export interface ProfileTypeConfig {
  /** Profile type, also the `__name__` label: `memory`, `process_cpu`, a custom block's label… */
  readonly name: string
  readonly enabled: boolean
  readonly path: string
  /** Server-side delta: the request carries `seconds` and the server profiles for that long. */
  readonly delta: boolean
}

const defaultType = (name: string, path: string, enabled: boolean, delta: boolean): ProfileTypeConfig =>
  Object.freeze({ name, path, enabled, delta })

export const DEFAULT_PROFILE_TYPES: readonly ProfileTypeConfig[] = Object.freeze([
  defaultType('memory', '/debug/pprof/allocs', true, false),
  defaultType('block', '/debug/pprof/block', true, false),
  defaultType('goroutine', '/debug/pprof/goroutine', true, false),
  defaultType('mutex', '/debug/pprof/mutex', true, false),
  defaultType('process_cpu', '/debug/pprof/profile', true, true),
  defaultType('fgprof', '/debug/fgprof', false, true),
  defaultType('godeltaprof_memory', '/debug/pprof/delta_heap', false, false),
  defaultType('godeltaprof_mutex', '/debug/pprof/delta_mutex', false, false),
  defaultType('godeltaprof_block', '/debug/pprof/delta_block', false, false)
])

/** godeltaprof serves already-delta profiles under the plain type's name (Alloy `NewTarget`). */
const GODELTAPROF_RENAMES: Readonly<Record<string, string>> = Object.freeze({
  godeltaprof_memory: 'memory',
  godeltaprof_mutex: 'mutex',
  godeltaprof_block: 'block'
})

/** Types whose Go endpoints are cumulative, so the agent subtracts the previous scrape (docs/components.md "Client-side delta"). */
const CLIENT_DELTA_TYPES: ReadonlySet<string> = new Set(['memory', 'mutex', 'block'])

export function isGodeltaprofType(name: string): boolean {
  return name in GODELTAPROF_RENAMES
}

/** The name a profile is sent under: godeltaprof_memory → memory etc.; others unchanged. */
export function publicProfileName(name: string): string {
  return GODELTAPROF_RENAMES[name] ?? name
}

/**
 * Whether profiles of this type (as configured, before renaming) need client-side delta: memory, mutex
 * and block, unless they come from godeltaprof, which already sends deltas.
 */
export function isClientDeltaType(name: string): boolean {
  return CLIENT_DELTA_TYPES.has(name)
}

/** Looks a type up by its configured name (enabled or not), as Alloy's delta lookup does. */
export function findProfileType(
  types: readonly ProfileTypeConfig[],
  name: string
): ProfileTypeConfig | undefined {
  return types.find((type) => type.name === name)
}
