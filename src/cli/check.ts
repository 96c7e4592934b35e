/** `shardscope check CONFIG`: validate a config (a file, or a folder of *.alloy files) without starting anything. */
import { ConfigError, defaultControllerOptions, formatWarnings, loadConfigSources, readConfigSources } from './load.js'
import type { LoadedConfig } from './load.js'
import { renderConfigError } from './snippet.js'

export interface CommandIO {
  readonly stdout: (line: string) => void
  readonly stderr: (line: string) => void
}

export async function runCheck(path: string, io: CommandIO): Promise<number> {
  const sources = await readConfigSources(path)
  let result: LoadedConfig
  try {
    result = loadConfigSources(sources, defaultControllerOptions(), 'check')
  } catch (err) {
    if (!(err instanceof ConfigError) || err.diagnostics.length === 0) throw err
    // Each error with its source line and a caret under the position.
    for (const line of renderConfigError(err)) io.stderr(line)
    return 1
  }
  for (const w of formatWarnings(result)) io.stderr(w)
  const count = result.controller?.components.size ?? 0
  io.stdout(`${path}: valid (${count} component${count === 1 ? '' : 's'})`)
  return 0
}
