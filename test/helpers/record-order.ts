import type { Outbox } from '../../gateway/outbox/outbox.js'
import type { RecordOrder } from '../../gateway/node/recorder.js'

/** Births placed against the outbox's own numbering, as the recorder places them when it is the outbox's only writer. */
export const orderOf = (outbox: Outbox): RecordOrder => ({ lastRecordId: () => outbox.stats().nextId - 1 })
