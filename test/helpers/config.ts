/** Loading config text in-process, for tests of the language, the runtime and component arguments. */
import { ConfigError, defaultControllerOptions, loadConfigText } from '../../src/cli/load.js'
import type { LoadResult } from '../../src/runtime/controller.js'
import { formatDiagnostic } from '../../src/syntax/diagnostics.js'

export const WRITE_LOCAL = `
pyroscope.write "local" {
  endpoint {
    url = "http://pyroscope:4100"
  }
}
`

/** Loads `text` in check mode; returns the formatted errors (empty when valid). */
export function configErrors(text: string, env: Record<string, string> = {}): string[] {
  try {
    loadConfigText(text, 'test.alloy', defaultControllerOptions({ env: (n) => env[n] }), 'check')
    return []
  } catch (err) {
    if (err instanceof ConfigError) return err.diagnostics.length > 0 ? err.diagnostics.map(formatDiagnostic) : [err.message]
    throw err
  }
}

export function loadValid(text: string, env: Record<string, string> = {}): LoadResult {
  return loadConfigText(text, 'test.alloy', defaultControllerOptions({ env: (n) => env[n] }), 'check')
}

/** The decoded arguments of one component of a valid config. */
export function argumentsOf<T>(text: string, id: string, env: Record<string, string> = {}): T {
  const result = loadValid(text, env)
  const loaded = result.controller?.components.get(id)
  if (!loaded) throw new Error(`no component ${id}`)
  return loaded.args as T
}

const DEFAULT_ENABLED = ['memory', 'block', 'goroutine', 'mutex', 'process_cpu']

/** A `profiling_config` block that leaves only `keep` of the default profile types enabled. */
export function profilingOnly(...keep: string[]): string {
  const blocks = DEFAULT_ENABLED.filter((t) => !keep.includes(t)).map((t) => `    profile.${t} {\n      enabled = false\n    }`)
  return `  profiling_config {\n${blocks.join('\n')}\n  }`
}
