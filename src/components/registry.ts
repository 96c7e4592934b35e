/** Every component shardscope supports, by Alloy name. */
import { ComponentRegistry } from '../runtime/index.js'
import { discoveryHttp } from './discovery/index.js'
import { pyroscopeReceiveHttp } from './pyroscope/receive_http/index.js'
import { pyroscopeScrape } from './pyroscope/scrape/index.js'
import { pyroscopeWrite } from './pyroscope/write/index.js'

export function createComponentRegistry(): ComponentRegistry {
  return new ComponentRegistry([
    discoveryHttp as never,
    pyroscopeScrape as never,
    pyroscopeWrite as never,
    pyroscopeReceiveHttp as never
  ])
}
