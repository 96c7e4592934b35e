/**
 * One process per storage folder: `<dir>/shardscope.lock` holds the owner's pid (docs/operations.md).
 * Created exclusively; a lock whose pid is no longer alive (or is this very process, after a restart in a
 * container where pids repeat) is stale and taken over. Released on stop, and on exit as a last resort.
 */
import { openSync, readFileSync, rmSync, writeSync, closeSync, mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'

export const LOCK_FILE = 'shardscope.lock'

export class StorageLockedError extends Error {
  override readonly name = 'StorageLockedError'
  constructor(
    readonly dir: string,
    readonly pid: number,
    readonly flag: string
  ) {
    super(`${dir} is in use by another shardscope process (pid ${pid}); give each process its own ${flag}`)
  }
}

export interface StorageLock {
  readonly path: string
  release(): void
}

/** Takes the lock of `dir` (created if missing); `flag` names the option that chose it, for the error. */
export function acquireStorageLock(dir: string, flag: string): StorageLock {
  const absolute = resolve(dir)
  mkdirSync(absolute, { recursive: true })
  const path = join(absolute, LOCK_FILE)
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      return held(path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
    const owner = readPid(path)
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw new StorageLockedError(absolute, owner, flag)
    rmSync(path, { force: true })
  }
  throw new Error(`cannot take the lock ${path}: it keeps coming back`)
}

function held(path: string): StorageLock {
  let released = false
  const release = (): void => {
    if (released) return
    released = true
    process.off('exit', release)
    // Only our own lock: never one another process took over.
    if (readPid(path) === process.pid) rmSync(path, { force: true })
  }
  process.on('exit', release)
  return { path, release }
}

function readPid(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10)
    return Number.isInteger(pid) && pid > 0 ? pid : undefined
  } catch {
    return undefined
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    // EPERM: it exists, owned by another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
