/**
 * The process's one inspector session. Profiler and HeapProfiler state lives in V8 per isolate, not per
 * session, so one shared session is the honest model: several sessions would only race over the same
 * profiler. This is the single piece of module state in self-profiling, and it is per process on purpose.
 */
import { Session } from 'node:inspector/promises'

let session: Session | undefined

export function inspectorSession(): Session {
  if (session === undefined) {
    session = new Session()
    session.connect()
  }
  return session
}
