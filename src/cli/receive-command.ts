/** `shardscope receive`: just the push receiver, storing profiles on disk, until SIGINT/SIGTERM. */
import { createLogger } from '../util/logger.js'
import type { CommandIO } from './check.js'
import { runReceive } from './receive.js'

export async function runReceiveCommand(opts: { listen: string; dir: string }, _io: CommandIO): Promise<number> {
  const logger = createLogger({})
  const shutdown = new AbortController()
  const stop = (): void => shutdown.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  await runReceive({ listen: opts.listen, dir: opts.dir, signal: shutdown.signal, logger })
  return 0
}
