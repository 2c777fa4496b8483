/**
 * Preloaded with `node --import <this file>`: turns off mqtt-packet's cache of 65,536 two-byte
 * Buffers (one per packet id), as the mqtt client option `writeCache: false` does, so the
 * footprint benchmark can show what that option saves without changing the gateway.
 */
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const mqttPacket = require('mqtt-packet') as { writeToStream: { cacheNumbers: boolean } }
mqttPacket.writeToStream.cacheNumbers = false
