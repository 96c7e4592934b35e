/** `shardscope check CONFIG`: validate a config (a file, or a folder of *.alloy files) without starting anything. */
import { defaultControllerOptions, formatWarnings, loadConfigSources, readConfigSources } from './load.js'

export interface CommandIO {
  readonly stdout: (line: string) => void
  readonly stderr: (line: string) => void
}

export async function runCheck(path: string, io: CommandIO): Promise<number> {
  const result = loadConfigSources(await readConfigSources(path), defaultControllerOptions(), 'check')
  for (const w of formatWarnings(result)) io.stderr(w)
  const count = result.controller?.components.size ?? 0
  io.stdout(`${path}: valid (${count} component${count === 1 ? '' : 's'})`)
  return 0
}
