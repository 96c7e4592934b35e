import type { ComponentDefinition } from '../../../runtime/index.js'
import { t } from '../../../runtime/index.js'
import { Capsule, makeObject } from '../../../syntax/index.js'
import { LateBoundReceiver } from '../late-bound-receiver.js'
import { PROFILES_RECEIVER_TYPE } from '../receiver.js'
import { WriteComponent } from './component.js'
import { WRITE_SCHEMA, toWriteArguments } from './arguments.js'
import type { WriteArguments } from './arguments.js'

export const pyroscopeWrite: ComponentDefinition<WriteArguments> = {
  name: 'pyroscope.write',
  arguments: WRITE_SCHEMA,
  exports: { receiver: t.capsule(PROFILES_RECEIVER_TYPE) },
  toArguments: toWriteArguments,
  initialExports: (label) =>
    makeObject([['receiver', new Capsule(PROFILES_RECEIVER_TYPE, new LateBoundReceiver(`pyroscope.write.${label}`))]]),
  build: (options, args, exports) => new WriteComponent(options, args, exports)
}
