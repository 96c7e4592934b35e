/**
 * Config reload for `shardscope run` (SIGHUP and `POST /-/reload`, as Alloy): re-read the file, parse it and
 * hand it to the controller, which refuses it whole on any error (the running config stays) or applies only
 * what changed. Reloads run one at a time. The outcome is logged and exported as Alloy's config metrics,
 * under shardscope's prefix (docs/operations.md).
 */
import { createHash } from 'node:crypto'
import { Gauge } from 'prom-client'
import type { Registry } from 'prom-client'
import type { Controller } from '../runtime/index.js'
import { DiagnosticError, formatDiagnostic } from '../syntax/index.js'
import type { Diagnostic } from '../syntax/index.js'
import type { Clock } from '../util/clock.js'
import type { Logger } from '../util/logger.js'
import { ConfigError, configText, defaultControllerOptions, prepareConfig, readConfigSources } from './load.js'

export interface ReloadOutcome {
  readonly ok: boolean
  /** One line per error (FILE:LINE:COL: message) when refused; a summary of the changes when applied. */
  readonly message: string
}

export interface ConfigMetrics {
  /** Records a load of `text`: the hash of a successful one, and the outcome with its time. */
  record(ok: boolean, text?: string): void
}

export function createConfigMetrics(metrics: Registry, clock: Clock): ConfigMetrics {
  const successful = new Gauge({ name: 'shardscope_config_last_load_successful', help: 'Whether the last config load (start or reload) succeeded (1) or not (0).', registers: [metrics] })
  const timestamp = new Gauge({ name: 'shardscope_config_last_load_success_timestamp_seconds', help: 'When the config was last loaded successfully, in seconds since the epoch.', registers: [metrics] })
  const hash = new Gauge({ name: 'shardscope_config_hash', help: 'The SHA-256 of the running config file (the value is always 1).', labelNames: ['sha256'], registers: [metrics] })
  return {
    record(ok, text) {
      successful.set(ok ? 1 : 0)
      if (!ok || text === undefined) return
      timestamp.set(clock.now() / 1000)
      hash.reset()
      hash.set({ sha256: createHash('sha256').update(text).digest('hex') }, 1)
    }
  }
}

export interface Reloader {
  reload(reason: string): Promise<ReloadOutcome>
}

export function createReloader(opts: {
  readonly configPath: string
  readonly controller: () => Controller | undefined
  readonly logger: Logger
  readonly configMetrics: ConfigMetrics
}): Reloader {
  let queue: Promise<unknown> = Promise.resolve()
  const reloadOnce = async (reason: string): Promise<ReloadOutcome> => {
    const controller = opts.controller()
    if (!controller) {
      opts.logger.warn({ reason }, 'config reload ignored: the agent is still starting')
      return { ok: false, message: 'the agent is still starting; try again' }
    }
    const refuse = (diagnostics: readonly Diagnostic[] | string): ReloadOutcome => {
      const message = typeof diagnostics === 'string' ? diagnostics : sortDiagnostics(diagnostics).map(formatDiagnostic).join('\n')
      opts.configMetrics.record(false)
      opts.logger.error({ reason, config: opts.configPath, errors: message }, 'config reload failed; the running config stays')
      return { ok: false, message }
    }
    let text: string
    let result
    try {
      const sources = await readConfigSources(opts.configPath)
      text = configText(sources)
      result = controller.reload(prepareConfig(sources, defaultControllerOptions().env).file)
    } catch (err) {
      if (err instanceof DiagnosticError) return refuse(err.diagnostics)
      if (err instanceof ConfigError) return refuse(err.diagnostics.length > 0 ? err.diagnostics : err.message)
      return refuse(err instanceof Error ? err.message : String(err))
    }
    if (result.diagnostics.length > 0) return refuse(result.diagnostics)
    for (const w of result.warnings) opts.logger.warn({ file: w.span.file, line: w.span.start.line, col: w.span.start.column }, w.message)
    opts.configMetrics.record(true, text)
    const summary = { added: result.added.join(','), removed: result.removed.join(','), updated: result.updated.join(','), unchanged: result.unchanged.length }
    opts.logger.info({ reason, config: opts.configPath, ...summary }, 'config reloaded')
    return { ok: true, message: `config reloaded: ${result.added.length} added, ${result.removed.length} removed, ${result.updated.length} updated, ${result.unchanged.length} unchanged` }
  }
  return {
    reload(reason) {
      const next = queue.then(() => reloadOnce(reason))
      queue = next.catch(() => undefined)
      return next
    }
  }
}

function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => a.span.start.offset - b.span.start.offset)
}
