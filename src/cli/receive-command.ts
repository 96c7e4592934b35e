/** `shardscope receive`: just the push receiver, storing profiles on disk, until SIGINT/SIGTERM. */
import { Registry } from 'prom-client'
import { collectProcessMetrics } from '../metrics/index.js'
import type { CommandIO } from './check.js'
import { UsageError } from './errors.js'
import { logOptions } from './log-options.js'
import { runReceive } from './receive.js'
import { registerBuildInfo } from '../util/version.js'
import { lockStorage } from './lock.js'

export interface ReceiveFlags {
  readonly listen: string
  readonly dir: string
  readonly [name: string]: unknown
}

export async function runReceiveCommand(flags: ReceiveFlags, _io: CommandIO): Promise<number> {
  const { logger, summaryIntervalMs } = logOptions(flags)
  // Signals first: one that arrives while starting still stops cleanly (and releases the lock).
  const shutdown = new AbortController()
  const stop = (): void => shutdown.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  const lock = lockStorage(flags.dir, '--dir')
  const metrics = new Registry()
  collectProcessMetrics(metrics)
  registerBuildInfo(metrics)
  try {
    await runReceive({ listen: flags.listen, dir: flags.dir, signal: shutdown.signal, logger, metrics, summaryIntervalMs })
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const why = code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : 'address not available on this machine'
      throw new UsageError(`cannot listen on ${flags.listen}: ${why} (choose another address with --listen)`)
    }
    throw err
  } finally {
    lock.release()
  }
  return 0
}
