/** The debug HTTP server: UI, JSON API, /metrics, health, and the agent's own /debug/pprof. */
export { ServerListenError, startServer } from './server.js'
export type { RunningServer } from './server.js'
export type {
  AgentView,
  ComponentDetail,
  ComponentHealth,
  ComponentView,
  LatestProfileView,
  ProfileBody,
  StoredProfilePage,
  StoredProfileQuery,
  StoredProfileView,
  ReloadOutcome,
  ServerOptions,
  TargetHealth,
  TargetView
} from './view.js'
