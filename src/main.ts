#!/usr/bin/env node
/**
 * The shardscope command line. The only place that calls process.exit.
 */
import './polyfill.js'
import { parseArgs } from 'node:util'
import { runCheck } from './cli/check.js'
import type { CommandIO } from './cli/check.js'
import { CHECK_HELP, FMT_HELP, MAIN_HELP, RECEIVE_HELP, RUN_HELP, TARGETS_HELP } from './cli/help.js'
import { UsageError } from './cli/errors.js'
import { ConfigError } from './cli/load.js'
import { renderConfigError } from './cli/snippet.js'
import { FlagError, parseRunFlags } from './cli/flags.js'
import { LOG_FLAGS } from './cli/log-options.js'
import { limitHeapGrowth } from './util/heap-growth.js'
import { version } from './util/version.js'
import { runTargets } from './cli/targets.js'

const io: CommandIO = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`)
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(MAIN_HELP)
    return command === undefined ? 1 : 0
  }
  if (command === '--version' || command === 'version') {
    io.stdout(`shardscope ${version()} (Node.js ${process.version}, ${process.platform}/${process.arch})`)
    return 0
  }
  const wantsHelp = rest.includes('--help') || rest.includes('-h')
  switch (command) {
    case 'check': {
      if (wantsHelp) return help(CHECK_HELP)
      const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} })
      return runCheck(requireConfig(positionals, 'check'), io)
    }
    case 'fmt': {
      if (wantsHelp) return help(FMT_HELP)
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { write: { type: 'boolean', short: 'w', default: false }, test: { type: 'boolean', short: 't', default: false } }
      })
      const { runFmt } = await import('./cli/fmt.js')
      return runFmt(requireConfig(positionals, 'fmt'), { write: values.write, test: values.test }, io)
    }
    case 'targets': {
      if (wantsHelp) return help(TARGETS_HELP)
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { format: { type: 'string', default: 'text' }, 'cluster-peers': { type: 'string' } }
      })
      if (values.format !== 'text' && values.format !== 'json') throw new UsageError(`--format must be text or json, got ${values.format}`)
      const clusterPeers = parseClusterPeers(values['cluster-peers'])
      return runTargets(requireConfig(positionals, 'targets'), { format: values.format, clusterPeers }, io)
    }
    case 'run': {
      if (wantsHelp) return help(RUN_HELP)
      const { values, positionals, ignored } = parseRunFlags(rest)
      limitHeapGrowth()
      // Loaded on demand: the agent pulls in libp2p, which `check` and `targets` do not need.
      const { runAgent } = await import('./cli/run.js')
      return runAgent(requireConfig([...positionals], 'run'), values, io, ignored)
    }
    case 'receive': {
      if (wantsHelp) return help(RECEIVE_HELP)
      const { values } = parseArgs({
        args: rest,
        options: { listen: { type: 'string', default: '127.0.0.1:4040' }, dir: { type: 'string', default: 'data/received' }, ...LOG_FLAGS }
      })
      limitHeapGrowth()
      const { runReceiveCommand } = await import('./cli/receive-command.js')
      return runReceiveCommand(values, io)
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`)
  }
}


/** `--cluster-peers a,b,c` → distinct node names (empty when the flag is absent). */
function parseClusterPeers(text: string | undefined): string[] {
  const names = [...new Set((text ?? '').split(',').map((n) => n.trim()).filter((n) => n !== ''))]
  if (text !== undefined && names.length === 0) throw new UsageError('--cluster-peers needs at least one node name (a,b,c)')
  return names
}

function help(text: string): number {
  io.stdout(text)
  return 0
}

function requireConfig(positionals: string[], command: string): string {
  if (positionals.length !== 1 || positionals[0] === undefined) {
    throw new UsageError(`${command} takes exactly one CONFIG file argument (see 'shardscope ${command} --help')`)
  }
  return positionals[0]
}

/**
 * Errors about how the agent was started (a flag value, a port in use): one line naming the problem, no
 * stack. Matched by name so that the cluster and server modules need not be imported here.
 */
function isOneLineError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'ClusterOptionsError' || err.name === 'ServerListenError')
}

/** Exits once stdout and stderr are flushed: a pipe is written asynchronously, and exit would cut it short. */
function exit(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
}

main(process.argv.slice(2)).then(
  (code) => exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) for (const line of renderConfigError(err)) io.stderr(line)
    else if (err instanceof UsageError || err instanceof FlagError || isOneLineError(err) || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) io.stderr(`error: ${(err as Error).message}`)
    else io.stderr(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
    exit(1)
  }
)
