import type { ComponentDefinition } from '../../../runtime/index.js'
import { t } from '../../../runtime/index.js'
import { makeObject } from '../../../syntax/index.js'
import { DiscoveryHttpComponent } from './component.js'
import { DISCOVERY_HTTP_SCHEMA, toDiscoveryHttpArguments } from './arguments.js'
import type { DiscoveryHttpArguments } from './arguments.js'

export const discoveryHttp: ComponentDefinition<DiscoveryHttpArguments> = {
  name: 'discovery.http',
  arguments: DISCOVERY_HTTP_SCHEMA,
  exports: { targets: t.list(t.map(t.string)) },
  toArguments: toDiscoveryHttpArguments,
  // Until the first refresh succeeds there are no targets (as in Alloy).
  initialExports: () => makeObject([['targets', []]]),
  build: (options, args) => new DiscoveryHttpComponent(options, args)
}
