import type { SparkplugType } from '../model/value.js'

/**
 * The node metrics a derived tag may read, with the datatypes NBIRTH declares them with. They are
 * listed here, below the config layer, so that an expression is checked at load without the config
 * importing the node; a test holds this list to what NBIRTH declares. Node controls are left out
 * (commands, not measurements), and so is the heartbeat interval, which only some upstreams declare.
 */
export const readableNodeMetrics: ReadonlyMap<string, SparkplugType> = new Map<string, SparkplugType>([
  ['Gateway/Buffer/Records', 'Int64'],
  ['Gateway/Buffer/Bytes', 'Int64'],
  ['Gateway/Buffer/Oldest Age', 'Int64'],
  ['Gateway/Buffer/Dropped', 'Int64'],
  ['Gateway/Buffer/Replay Rate', 'Double'],
  ['Node Control/Scan Rate', 'Int64'],
  ['Properties/Software', 'String'],
  ['Properties/Software Version', 'String'],
  ['Properties/Hardware', 'String'],
  ['Properties/OS', 'String'],
])
