/** Runs a config's components in this process (real components, real sockets), for integration tests. */
import { Registry } from 'prom-client'
import { createKeyHasher } from '../../src/util/label-hash.js'
import { defaultControllerOptions, loadConfigText } from '../../src/cli/load.js'
import type { AgentServices } from '../../src/runtime/services.js'
import type { Controller } from '../../src/runtime/controller.js'
import { systemClock } from '../../src/util/clock.js'
import { silentLogger } from '../../src/util/logger.js'

export interface InProcessAgent {
  readonly controller: Controller
  readonly metrics: Registry
  /** The component's debugInfo(). */
  debug<T>(id: string): T
  stop(): Promise<void>
}

export async function startAgent(text: string, options: { storagePath?: string } = {}): Promise<InProcessAgent> {
  const metrics = new Registry()
  const services: AgentServices = { keyHasher: await createKeyHasher() }
  const result = loadConfigText(
    text,
    'test.alloy',
    defaultControllerOptions({ metrics, services, clock: systemClock, logger: silentLogger(), storagePath: options.storagePath ?? 'data' }),
    'run'
  )
  const controller = result.controller
  if (!controller) throw new Error('config did not load')
  const stop = new AbortController()
  const running = controller.run(stop.signal)
  return {
    controller,
    metrics,
    debug: <T>(id: string) => controller.components.get(id)?.component?.debugInfo?.() as T,
    stop: async () => {
      stop.abort()
      await running
    }
  }
}
