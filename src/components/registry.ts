/** Every component shardscope supports, by Alloy name. */
import { ComponentRegistry } from '../runtime/registry.js'
import { discoveryHttp } from './discovery/http/definition.js'
import { pyroscopeReceiveHttp } from './pyroscope/receive_http/definition.js'
import { pyroscopeScrape } from './pyroscope/scrape/definition.js'
import { pyroscopeWrite } from './pyroscope/write/definition.js'

export function createComponentRegistry(): ComponentRegistry {
  return new ComponentRegistry([
    discoveryHttp as never,
    pyroscopeScrape as never,
    pyroscopeWrite as never,
    pyroscopeReceiveHttp as never
  ])
}
