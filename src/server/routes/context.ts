/** What a route handler gets: the request, the parsed URL, and the server's read-only context. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Registry } from 'prom-client'
import type { Clock } from '../../util/clock.js'
import type { Logger } from '../../util/logger.js'
import type { AgentView } from '../view.js'

export interface RouteContext {
  readonly view: AgentView
  readonly metrics: Registry
  readonly logger: Logger
  readonly clock: Clock
  /** Aborts when the server closes, so long requests (a 30 s CPU profile) end with it. */
  readonly closing: AbortSignal
  /** The UI's path prefix, "/" or "/something/" (see ui-prefix.ts). */
  readonly uiPrefix?: string
}

export type Route = (req: IncomingMessage, res: ServerResponse, url: URL, ctx: RouteContext) => void | Promise<void>
