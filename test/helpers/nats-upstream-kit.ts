import { connect, StorageType, type NatsConnection } from 'nats'
import type { NatsConfig } from '../../gateway/config/types.js'
import { parseTopic, topicOf } from '../../gateway/base/topics.js'
import { subjectOf, topicOf as topicOfSubject } from '../../gateway/base/nats-subjects.js'
import type { ProbeMessage, UpstreamFixture } from '../contract/upstream.contract.js'
import { Collection } from './collection.js'

let clients = 0

/** A valid NatsConfig for tests: short timeouts, JetStream stream `SPARKPLUG` created when missing. */
export function natsConfig(servers: readonly string[], extra: Partial<NatsConfig> = {}): NatsConfig {
  return {
    servers,
    mode: 'core',
    name: `gw-test-${process.pid}-${++clients}`,
    keepaliveMs: 10_000,
    connectTimeoutMs: 3000,
    reconnectMinMs: 50,
    reconnectMaxMs: 500,
    heartbeatMs: 10_000,
    replayWindowMs: 35_000,
    ...extra,
    jetstream: { stream: 'SPARKPLUG', create: true, replicas: 1, duplicateWindowMs: 3_600_000, ackTimeoutMs: 5000, ...extra.jetstream },
  }
}

/** A plain client of the test's own, as a host application would connect. */
export function client(url: string): Promise<NatsConnection> {
  return connect({ servers: url, reconnect: false, name: `test-client-${process.pid}-${++clients}` })
}

/**
 * The contract fixture's inject and probe on a NATS server at `url`. A retained inject (a
 * host's STATE) is stored in a stream `HOSTS`, where the JetStream upstream looks for it.
 */
export function natsContractParts(url: string): Pick<UpstreamFixture, 'inject' | 'probe'> {
  return {
    async inject(address, payload, retain) {
      const nc = await client(url)
      try {
        const subject = subjectOf(topicOf(address))
        if (retain) {
          const jsm = await nc.jetstreamManager()
          await jsm.streams.add({ name: 'HOSTS', subjects: ['spBv1//0.STATE.*'], storage: StorageType.File })
          await nc.jetstream().publish(subject, payload)
        } else {
          nc.publish(subject, payload)
          await nc.flush()
        }
      } finally {
        await nc.close()
      }
    },
    async probe() {
      const nc = await client(url)
      const seen = new Collection<ProbeMessage>((all) => `seen: ${all.map((m) => m.address.type).join(', ') || 'nothing'}`)
      nc.subscribe('spBv1//0.Contract.>', {
        callback: (err, msg) => {
          const address = err === null ? parseTopic(topicOfSubject(msg.subject)) : null
          if (address !== null) seen.push({ address, payload: msg.data })
        },
      })
      await nc.flush()
      return {
        waitFor: (predicate, timeoutMs) => seen.waitFor(predicate, timeoutMs),
        close: () => nc.close(),
      }
    },
  }
}
