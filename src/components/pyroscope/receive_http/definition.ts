import type { ComponentDefinition } from '../../../runtime/index.js'
import { makeObject } from '../../../syntax/index.js'
import { ReceiveHttpComponent } from './component.js'
import { RECEIVE_HTTP_SCHEMA, toReceiveHttpArguments } from './arguments.js'
import type { ReceiveHttpArguments } from './arguments.js'

export const pyroscopeReceiveHttp: ComponentDefinition<ReceiveHttpArguments> = {
  name: 'pyroscope.receive_http',
  arguments: RECEIVE_HTTP_SCHEMA,
  exports: {},
  toArguments: toReceiveHttpArguments,
  initialExports: () => makeObject([]),
  build: (options, args) => new ReceiveHttpComponent(options, args)
}
