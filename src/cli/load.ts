/** Reads, parses and loads a config file; the one path shared by `check`, `targets` and `run`. */
import { readFile } from 'node:fs/promises'
import { Registry } from 'prom-client'
import { createComponentRegistry } from '../components/registry.js'
import { loadConfig } from '../runtime/controller.js'
import type { ControllerOptions, LoadMode, LoadResult } from '../runtime/controller.js'
import { DiagnosticError, formatDiagnostic } from '../syntax/diagnostics.js'
import type { Diagnostic } from '../syntax/diagnostics.js'
import { decodeConfigBytes, parse } from '../syntax/index.js'
import { systemClock } from '../util/clock.js'
import { silentLogger } from '../util/logger.js'

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[] = []
  ) {
    super(message)
  }
}

export async function readConfigText(path: string): Promise<string> {
  let bytes: Buffer
  try {
    bytes = await readFile(path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError(`${path}: cannot read config file${code ? ` (${code})` : ''}`)
  }
  try {
    return decodeConfigBytes(bytes, path)
  } catch (err) {
    if (err instanceof DiagnosticError) throw new ConfigError(err.message, err.diagnostics)
    throw err
  }
}

export function defaultControllerOptions(overrides: Partial<ControllerOptions> = {}): ControllerOptions {
  return {
    registry: createComponentRegistry(),
    env: (name) => process.env[name],
    logger: silentLogger(),
    metrics: new Registry(),
    clock: systemClock,
    storagePath: 'data',
    services: {},
    ...overrides
  }
}

/** Parses and loads `text`; throws ConfigError carrying every diagnostic when the config is invalid. */
export function loadConfigText(text: string, fileName: string, options: ControllerOptions, mode: LoadMode): LoadResult {
  let file
  try {
    file = parse(text, fileName)
  } catch (err) {
    if (err instanceof DiagnosticError) throw new ConfigError(err.message, err.diagnostics)
    throw err
  }
  const result = loadConfig(file, options, mode)
  if (result.diagnostics.length > 0) {
    const sorted = [...result.diagnostics].sort((a, b) => a.span.start.offset - b.span.start.offset)
    throw new ConfigError(sorted.map(formatDiagnostic).join('\n'), sorted)
  }
  return result
}

export function formatWarnings(result: LoadResult): string[] {
  return result.warnings.map((w) => `${formatDiagnostic(w).replace(/: /, ': warning: ')}`)
}
