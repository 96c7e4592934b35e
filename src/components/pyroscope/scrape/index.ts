/**
 * pyroscope.scrape's public door: the component's definition for the registry, the target expansion the
 * `targets` command shares, the latest-profile store the UI reads and the debug info the API serves.
 */
export type { ScrapeDebugInfo } from './component.js'
export { LatestProfiles } from './latest-profiles.js'
export { toExpansionConfig } from './arguments.js'
export type { ScrapeArguments } from './arguments.js'
export { phaseMs } from './offset.js'
export { expandTargets } from './targets.js'
export type { ScrapeTarget } from './targets.js'
export { withScopeLabels } from './scope-labels.js'
export { pyroscopeScrape } from './definition.js'
