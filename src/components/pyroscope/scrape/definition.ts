import type { ComponentDefinition } from '../../../runtime/index.js'
import { makeObject } from '../../../syntax/index.js'
import { ScrapeComponent } from './component.js'
import { SCRAPE_SCHEMA, toScrapeArguments } from './arguments.js'
import type { ScrapeArguments } from './arguments.js'

export const pyroscopeScrape: ComponentDefinition<ScrapeArguments> = {
  name: 'pyroscope.scrape',
  arguments: SCRAPE_SCHEMA,
  exports: {},
  toArguments: toScrapeArguments,
  initialExports: () => makeObject([]),
  build: (options, args) => new ScrapeComponent(options, args)
}
