/**
 * The host side of the disk-jitter benchmark: waits for the node's births, then writes one
 * holding register of one device by DCMD, the way SCADA would, and notes when it published
 * (process.hrtime, the clock the Modbus server stamps arrivals with).
 */
import mqtt from 'mqtt'
import { encodePayload } from '../../../gateway/sparkplug/codec.js'

export interface CommandSent {
  /** process.hrtime in milliseconds, just before the publish. */
  readonly at: number
  readonly unit: number
  readonly value: number
}

export interface BenchHost {
  /** Resolves once NBIRTH and `devices` DBIRTHs arrived since the last call; rejects after `timeoutMs`. */
  births(devices: number, timeoutMs: number): Promise<void>
  /** Publishes a DCMD (QoS 1) writing `value` to `tag` (UInt16) of device Dev<unit>. */
  write(unit: number, tag: string, value: number): Promise<CommandSent>
  close(): Promise<void>
}

export async function connectBenchHost(url: string, groupId: string, nodeId: string): Promise<BenchHost> {
  const client = await mqtt.connectAsync(url, { reconnectPeriod: 1000, clean: true })
  await client.subscribeAsync([`spBv1.0/${groupId}/NBIRTH/${nodeId}`, `spBv1.0/${groupId}/DBIRTH/${nodeId}/+`], { qos: 0 })
  let nodeBorn = false
  let deviceBirths = 0
  let onBirth = () => {}
  client.on('message', (topic) => {
    if (topic.includes('/NBIRTH/')) {
      nodeBorn = true
      deviceBirths = 0
    } else deviceBirths++
    onBirth()
  })
  return {
    births: (devices, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no NBIRTH and ${devices} DBIRTHs within ${timeoutMs / 1000} s`)), timeoutMs)
        onBirth = () => {
          if (!nodeBorn || deviceBirths < devices) return
          clearTimeout(timer)
          nodeBorn = false
          onBirth = () => {}
          resolve()
        }
        onBirth()
      }),
    async write(unit, tag, value) {
      const payload = encodePayload({ timestamp: Date.now(), metrics: [{ name: tag, datatype: 'UInt16', value }] }, { uint32Field: 'long_value' })
      const at = Number(process.hrtime.bigint()) / 1e6
      await client.publishAsync(`spBv1.0/${groupId}/DCMD/${nodeId}/Dev${unit}`, Buffer.from(payload), { qos: 1 })
      return { at, unit, value }
    },
    close: () => client.endAsync(),
  }
}
