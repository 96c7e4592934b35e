/** discovery.*'s public door: each discovery component's definition, and the refresh the CLI shares. */
export { refreshHttpSd } from './http/refresh.js'
export type { DiscoveryHttpArguments } from './http/arguments.js'
export { discoveryHttp } from './http/definition.js'
