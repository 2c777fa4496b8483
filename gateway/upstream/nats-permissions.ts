import type { NatsConnection } from 'nats'
import type { Log } from '../model/log.js'

/** Subjects denied to core NATS publishes that are reported; the rest of a bad ACL is in the first lines. */
const MAX_DENIED_SUBJECTS = 32

/**
 * Core NATS cannot refuse a publish: a subject the user's permissions deny is answered by an -ERR
 * line the client reports apart, so the message is lost unseen. One warning per subject says so.
 */
export async function warnDeniedPublishes(nc: NatsConnection, url: string, log: Log): Promise<void> {
  const reported = new Set<string>()
  for await (const status of nc.status()) {
    const denied = status.permissionContext
    if (status.type !== 'error' || denied?.operation !== 'publish' || reported.has(denied.subject) || reported.size >= MAX_DENIED_SUBJECTS) continue
    reported.add(denied.subject)
    log.warn("the NATS server's permissions deny the gateway's user publishing here; core NATS loses these messages: allow the subject in the user's publish permissions", { server: url, subject: denied.subject })
  }
}
