/**
 * `shardscope run CONFIG`: loads the config (any error: printed with file:line:col, exit 1, nothing started),
 * builds the components and runs them until SIGINT/SIGTERM.
 */
import { mkdir } from 'node:fs/promises'
import { Registry, collectDefaultMetrics } from 'prom-client'
import { createKeyHasher } from '../cluster/key.js'
import type { ScrapeServices } from '../components/pyroscope/scrape/component.js'
import type { ComponentServices } from '../runtime/component.js'
import { startCluster } from '../cluster/index.js'
import { startServer } from '../server/index.js'
import { createAgentView } from './agent-view.js'
import type { AgentState } from './agent-view.js'
import { systemClock } from '../util/clock.js'
import { createLogger } from '../util/logger.js'
import type { LogFormat, LogLevel } from '../util/logger.js'
import type { CommandIO } from './check.js'
import type { RunFlags } from './flags.js'
import { defaultControllerOptions, loadConfigText, readConfigText } from './load.js'

export type { RunFlags } from './flags.js'

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']
const FORMATS: readonly LogFormat[] = ['logfmt', 'json']

export async function runAgent(configPath: string, flags: RunFlags, io: CommandIO): Promise<number> {
  const level = String(flags['log.level'])
  const format = String(flags['log.format'])
  if (!LEVELS.includes(level as LogLevel)) throw new Error(`--log.level must be one of ${LEVELS.join(', ')}`)
  if (!FORMATS.includes(format as LogFormat)) throw new Error(`--log.format must be one of ${FORMATS.join(', ')}`)
  const logger = createLogger({ level: level as LogLevel, format: format as LogFormat })
  const storagePath = String(flags['storage.path'])

  const metrics = new Registry()
  collectDefaultMetrics({ register: metrics })
  const text = await readConfigText(configPath)
  // Validate before anything starts: an invalid config never joins a cluster or opens a port.
  loadConfigText(text, configPath, defaultControllerOptions(), 'check')
  const state: AgentState = { controller: undefined, cluster: undefined, running: true }
  const server = await startServer({
    listen: String(flags['server.http.listen-addr']),
    view: createAgentView(state),
    metrics,
    logger: logger.child({ component: 'server' })
  })
  const keyHasher = await createKeyHasher()
  const cluster = await startCluster(flags, {
    logger: logger.child({ component: 'cluster' }),
    metrics,
    clock: systemClock,
    storagePath,
    keyHasher,
    httpAddress: String(flags['server.http.listen-addr'])
  })
  state.cluster = cluster
  const services: ScrapeServices = cluster ? { keyHasher, clusterOwnership: cluster.ownership } : { keyHasher }
  const result = loadConfigText(
    text,
    configPath,
    defaultControllerOptions({ logger, metrics, clock: systemClock, storagePath, services: services as unknown as ComponentServices }),
    'run'
  )
  for (const w of result.warnings) logger.warn({ file: w.span.file, line: w.span.start.line, col: w.span.start.column }, w.message)
  const controller = result.controller
  if (!controller) {
    await cluster?.stop()
    await server.close()
    return 1
  }
  state.controller = controller
  await mkdir(storagePath, { recursive: true })

  const shutdown = new AbortController()
  let stopping = false
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now')
      process.exit(1)
    }
    stopping = true
    state.running = false
    logger.info({ signal }, 'shutting down')
    // A clustered node first announces it is terminating and keeps scraping what it owns until the
    // others have taken over (or the grace deadline passes); then components stop.
    void (cluster ? cluster.terminate() : Promise.resolve()).finally(() => shutdown.abort())
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  logger.info({ config: configPath, components: controller.order.map((n) => n.id).join(',') }, 'starting')
  try {
    await controller.run(shutdown.signal)
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    await cluster?.stop()
    await server.close()
  }
  logger.info('stopped')
  return 0
}
