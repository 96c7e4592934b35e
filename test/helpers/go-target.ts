/**
 * The real Go pprof target (test/fixtures/go): built once with the system's Go into `.cache/go-target/`
 * (gitignored), offline (GOPROXY=off; the program uses only the standard library), and started on
 * 127.0.0.1 port 0. The program prints `listening <addr>` as its first stdout line.
 */
import { execFile, spawn } from 'node:child_process'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdir, rename, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/** Compiled to dist/test/helpers/, so the repository root is three levels up. */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))
const SOURCE_DIR = join(REPO_ROOT, 'test', 'fixtures', 'go')
const CACHE_DIR = join(REPO_ROOT, '.cache', 'go-target')
const BINARY = join(CACHE_DIR, 'testtarget')
const START_TIMEOUT_MS = 15_000
const STOP_GRACE_MS = 3_000

/** Builds the target unless the cached binary is newer than its sources; returns the binary's path. */
export async function buildGoTarget(): Promise<string> {
  if (await isFresh()) return BINARY
  await mkdir(join(CACHE_DIR, 'gocache'), { recursive: true })
  await mkdir(join(CACHE_DIR, 'gopath'), { recursive: true })
  // Build to a unique name and rename: two test files may build at the same time.
  const temporary = `${BINARY}.${process.pid}.${Date.now()}`
  await execFileAsync(await goBinary(), ['build', '-o', temporary, '.'], {
    cwd: SOURCE_DIR,
    env: {
      ...process.env,
      GOPROXY: 'off',
      GOFLAGS: '-mod=mod',
      GOCACHE: join(CACHE_DIR, 'gocache'),
      GOPATH: join(CACHE_DIR, 'gopath'),
      CGO_ENABLED: '0'
    },
    timeout: 120_000
  })
  await rename(temporary, BINARY)
  return BINARY
}

/** `go` from PATH, with a message that says what to install when it is missing. */
async function goBinary(): Promise<string> {
  try {
    await execFileAsync('go', ['version'], { timeout: 10_000 })
    return 'go'
  } catch (error) {
    throw new Error('the Go toolchain is needed for the pprof test target: apt-get install -y golang-go', { cause: error })
  }
}

async function isFresh(): Promise<boolean> {
  try {
    const binary = await stat(BINARY)
    const sources = await Promise.all(['main.go', 'go.mod'].map((f) => stat(join(SOURCE_DIR, f))))
    return sources.every((s) => s.mtimeMs < binary.mtimeMs)
  } catch {
    return false
  }
}

export interface GoTargetOptions {
  /** Name the program reports on `/` (flag -service). */
  readonly service?: string
}

export interface GoTarget {
  /** host:port the target listens on (127.0.0.1). */
  readonly address: string
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>
}

/** Starts a target process; the caller must call stop() (register it with t.after / after). */
export async function startGoTarget(opts: GoTargetOptions = {}): Promise<GoTarget> {
  const binary = await buildGoTarget()
  const args = ['-addr', '127.0.0.1:0', ...(opts.service !== undefined ? ['-service', opts.service] : [])]
  const child = spawn(binary, args, { stdio: 'pipe' })
  child.stdin.end()
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  // Never leave a target behind, even when the test process exits without calling stop().
  const killOnExit = (): void => {
    child.kill('SIGKILL')
  }
  process.once('exit', killOnExit)
  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit)
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const grace = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
      await exited
      clearTimeout(grace)
    }
  }
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr = (stderr + text).slice(-2000)
  })
  try {
    const address = await firstLineAddress(child, () => stderr)
    return { address, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Resolves with the address from the first stdout line; rejects if the process exits or stays silent. */
function firstLineAddress(child: ChildProcessWithoutNullStreams, stderr: () => string): Promise<string> {
  const lines = createInterface({ input: child.stdout })
  return new Promise<string>((resolve, reject) => {
    const finish = (settle: () => void): void => {
      clearTimeout(timer)
      child.removeListener('exit', onExit)
      lines.removeListener('line', onLine)
      lines.close()
      // Keep draining stdout so the program never blocks on a full pipe.
      child.stdout.resume()
      settle()
    }
    const onLine = (line: string): void => {
      const match = /^listening (\S+)$/.exec(line)
      finish(() =>
        match?.[1] !== undefined ? resolve(match[1]) : reject(new Error(`unexpected first line from Go target: ${line}`))
      )
    }
    const onExit = (): void => finish(() => reject(new Error(`Go target exited before listening: ${stderr()}`)))
    const timer = setTimeout(
      () => finish(() => reject(new Error('Go target did not print its address in time'))),
      START_TIMEOUT_MS
    )
    lines.once('line', onLine)
    child.once('exit', onExit)
  })
}
