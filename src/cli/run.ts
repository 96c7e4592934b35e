/**
 * `shardscope run CONFIG`: loads the config (any error: printed with file:line:col, exit 1, nothing started),
 * builds the components and runs them until SIGINT/SIGTERM.
 */
import { mkdir } from 'node:fs/promises'
import { Registry } from 'prom-client'
import { collectProcessMetrics } from '../metrics/index.js'
import { createKeyHasher } from '../util/label-hash.js'
import { LatestProfiles } from '../components/pyroscope/scrape/index.js'
import type { AgentServices } from '../runtime/index.js'
import { startCluster } from '../cluster/index.js'
import { ServerListenError, startServer } from '../server/index.js'
import type { RunningServer } from '../server/index.js'
import type { ClusterHandle } from '../cluster/index.js'
import { UsageError } from './errors.js'
import { createAgentView } from './agent-view.js'
import type { AgentState } from './agent-view.js'
import { systemClock } from '../util/clock.js'
import { logOptions } from './log-options.js'
import { startFeedback } from './feedback.js'
import { registerBuildInfo } from '../util/version.js'
import { lockStorage } from './lock.js'
import type { CommandIO } from './check.js'
import type { RunFlags } from './flags.js'
import { configText, defaultControllerOptions, loadConfigSources, readConfigSources } from './load.js'
import { createConfigMetrics, createReloader } from './reload.js'

export type { RunFlags } from './flags.js'

export async function runAgent(configPath: string, flags: RunFlags, _io: CommandIO, ignoredFlags: readonly string[] = []): Promise<number> {
  const sources = await readConfigSources(configPath)
  const text = configText(sources)
  // Validate before anything starts: an invalid config never joins a cluster or opens a port.
  const checked = loadConfigSources(sources, defaultControllerOptions(), 'check')
  // The --log.* flags override the config's logging block, as Alloy's flags override its config.
  const { logger, summaryIntervalMs } = logOptions({
    ...flags,
    'log.level': flags['log.level'] ?? checked.logging.level,
    'log.format': flags['log.format'] ?? checked.logging.format
  })
  for (const line of ignoredFlags) logger.info(line)
  const storagePath = String(flags['storage.path'])

  // Signals are handled from here on, so that one arriving during start-up still stops cleanly.
  const shutdown = new AbortController()
  const forced = new AbortController()
  let terminate: () => Promise<void> = () => Promise.resolve()
  const state: AgentState = { controller: undefined, cluster: undefined, running: true }
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!state.running) {
      logger.warn({ signal }, 'second signal: exiting now')
      forced.abort()
      return
    }
    state.running = false
    logger.info({ signal }, 'shutting down')
    // A clustered node first announces it is terminating and keeps scraping what it owns until the
    // others have taken over (or the grace deadline passes); then components stop.
    void terminate().finally(() => shutdown.abort())
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const metrics = new Registry()
  collectProcessMetrics(metrics)
  registerBuildInfo(metrics)
  const configMetrics = createConfigMetrics(metrics, systemClock)
  // The last body of each scrape loop, for the UI's flame graphs (bounded, docs/operations.md).
  const latestProfiles = new LatestProfiles({ metrics })
  state.latestProfiles = latestProfiles
  const reloader = createReloader({ configPath, controller: () => state.controller, logger, configMetrics })
  state.reload = (reason) => reloader.reload(reason)
  // SIGHUP reloads the config, as Alloy (and `systemctl reload`) expect; it never stops the agent.
  const onHangup = (): void => void reloader.reload('SIGHUP')
  process.on('SIGHUP', onHangup)
  const lock = lockStorage(storagePath, '--storage.path')
  let server: RunningServer | undefined
  const view = createAgentView(state)
  let cluster: ClusterHandle | undefined
  try {
    server = await startServer({
      listen: String(flags['server.http.listen-addr']),
      uiPathPrefix: String(flags['server.http.ui-path-prefix'] ?? '/'),
      view,
      metrics,
      logger: logger.child({ component: 'server' })
    }).catch((err: unknown) => {
      // A startup error the operator fixes with a flag: one line that names it, no stack trace.
      if (err instanceof ServerListenError) throw new UsageError(`${err.message} (choose another address with --server.http.listen-addr)`)
      throw err
    })
    const keyHasher = await createKeyHasher()
    cluster = await startCluster(flags, {
      logger: logger.child({ component: 'cluster' }),
      metrics,
      clock: systemClock,
      storagePath,
      keyHasher,
      httpAddress: server.address
    })
    state.cluster = cluster
    const clusterHandle = cluster
    if (clusterHandle) terminate = () => clusterHandle.terminate()
    const services: AgentServices = { keyHasher, latestProfiles, ...(cluster ? { clusterOwnership: cluster.ownership } : {}) }
    const result = loadConfigSources(
      sources,
      defaultControllerOptions({ logger, metrics, clock: systemClock, storagePath, services }),
      'run'
    )
    for (const w of result.warnings) logger.warn({ file: w.span.file, line: w.span.start.line, col: w.span.start.column }, w.message)
    const controller = result.controller
    if (!controller) return 1
    state.controller = controller
    configMetrics.record(true, text)
    await mkdir(storagePath, { recursive: true })
    logger.info({ config: configPath, components: controller.order.map((n) => n.id).join(',') }, 'starting')
    const stopped = controller.run(shutdown.signal)
    startFeedback({ targets: () => view.targets(), metrics, logger, summaryIntervalMs }, shutdown.signal)
    const force = new Promise<'forced'>((resolve) => forced.signal.addEventListener('abort', () => resolve('forced'), { once: true }))
    if ((await Promise.race([stopped.then(() => 'stopped' as const), force])) === 'forced') return 1
    logger.info('stopped')
    return 0
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    process.off('SIGHUP', onHangup)
    if (!forced.signal.aborted) {
      await cluster?.stop()
      await server?.close()
    }
    lock.release()
  }
}

