/**
 * Reads, parses and loads a config (a file, or every `*.alloy` file of a folder as one config, as Alloy's
 * `run DIR`); the one path shared by `check`, `targets` and `run`.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Registry } from 'prom-client'
import { createComponentRegistry } from '../components/registry.js'
import { loadConfig } from '../runtime/index.js'
import type { ControllerOptions, LoadMode, LoadResult } from '../runtime/index.js'
import { DiagnosticError, formatDiagnostic } from '../syntax/index.js'
import type { Diagnostic } from '../syntax/index.js'
import { decodeConfigBytes, parse } from '../syntax/index.js'
import { systemClock } from '../util/clock.js'
import { silentLogger } from '../util/logger.js'
import type { File } from '../syntax/index.js'
import { extractLogging } from './logging-block.js'
import type { LoggingSettings } from './logging-block.js'

export interface ConfigSource {
  readonly name: string
  readonly text: string
}

/** What a load yields: the controller's result plus the settings of the top-level `logging` block. */
export type LoadedConfig = LoadResult & { readonly logging: LoggingSettings }

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[] = [],
    /** The text of each file the diagnostics point into, by name, to show their lines (snippet.ts). */
    readonly sources: ReadonlyMap<string, string> = new Map()
  ) {
    super(message)
  }
}

/** A file's text, or the `*.alloy` files of a folder (sorted by name; sub-folders are not read). */
export async function readConfigSources(path: string): Promise<ConfigSource[]> {
  let isDir = false
  try {
    isDir = (await stat(path)).isDirectory()
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    throw new ConfigError(`${path}: cannot read config file${code ? ` (${code})` : ''}`)
  }
  if (!isDir) return [{ name: path, text: await readConfigText(path) }]
  const names = (await readdir(path, { withFileTypes: true }))
    .filter((e) => e.isFile() && e.name.endsWith('.alloy'))
    .map((e) => e.name)
    .sort()
  if (names.length === 0) throw new ConfigError(`${path}: the folder holds no *.alloy file`)
  return Promise.all(names.map(async (n) => ({ name: join(path, n), text: await readConfigText(join(path, n)) })))
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
    ...overrides
  }
}

/** Parses and loads `text`; throws ConfigError carrying every diagnostic when the config is invalid. */
export function loadConfigText(text: string, fileName: string, options: ControllerOptions, mode: LoadMode): LoadedConfig {
  return loadConfigSources([{ name: fileName, text }], options, mode)
}

/**
 * Parses every source (each keeps its file name in its diagnostics) and loads them as one config. Every
 * file's syntax errors are reported before any is loaded.
 */
export function loadConfigSources(sources: readonly ConfigSource[], options: ControllerOptions, mode: LoadMode): LoadedConfig {
  const prepared = prepareConfig(sources, options.env)
  const result = loadConfig(prepared.file, options, mode)
  if (result.diagnostics.length > 0) throw configError(result.diagnostics, sources)
  return { ...result, warnings: [...prepared.warnings, ...result.warnings], logging: prepared.logging }
}

/**
 * Parses every source (each keeps its file name in its diagnostics), merges them into one file and takes
 * the top-level `logging` block out of it: what both a load and a reload evaluate. Every file's syntax
 * errors are reported before any is used.
 */
export function prepareConfig(sources: readonly ConfigSource[], env: ControllerOptions['env']): { file: File; logging: LoggingSettings; warnings: LoadResult['warnings'] } {
  const files: File[] = []
  const syntax: Diagnostic[] = []
  for (const source of sources) {
    try {
      files.push(parse(source.text, source.name))
    } catch (err) {
      if (err instanceof DiagnosticError) syntax.push(...err.diagnostics)
      else throw err
    }
  }
  if (syntax.length > 0) throw configError(syntax, sources)
  const first = files[0]
  if (first === undefined) throw new ConfigError('no config to load')
  const merged: File = files.length === 1 ? first : { ...first, body: files.flatMap((f) => f.body) }
  const extracted = extractLogging(merged, env)
  if (extracted.diagnostics.length > 0) throw configError(extracted.diagnostics, sources)
  return { file: extracted.file, logging: extracted.logging, warnings: extracted.warnings }
}

/** The text a config's hash is taken over: every source, in order, with its name. */
export function configText(sources: readonly ConfigSource[]): string {
  return sources.length === 1 ? (sources[0] as ConfigSource).text : sources.map((s) => `// ${s.name}\n${s.text}`).join('\n')
}

function configError(diagnostics: readonly Diagnostic[], sources: readonly ConfigSource[]): ConfigError {
  const sorted = [...diagnostics].sort((a, b) => a.span.file.localeCompare(b.span.file) || a.span.start.offset - b.span.start.offset)
  return new ConfigError(sorted.map(formatDiagnostic).join('\n'), sorted, new Map(sources.map((s) => [s.name, s.text])))
}

export function formatWarnings(result: LoadResult): string[] {
  return result.warnings.map((w) => `${formatDiagnostic(w).replace(/: /, ': warning: ')}`)
}
