/** `sparkplug-gateway trust <device>`: trusts the server certificate of an OPC UA device. */
import { parseArgs } from 'node:util'
import { loadTrust, withPki, type OpcuaDeviceConfig } from '../../drivers/opcua/tools.js'
import { formatError, loadConfig } from '../config/load.js'
import { defaultConfigFile, EX_CONFIG, EX_UNAVAILABLE, EX_USAGE } from './exit-codes.js'

export const help = `Usage: sparkplug-gateway trust <device> [--config FILE]

Fetches the application certificate the OPC UA server of <device> presents, prints its subject
and SHA-1 thumbprint, and adds it to the gateway's trusted certificates (moving it out of
rejected/, where a refused connection left it). Compare the thumbprint with the one the server
shows before you rely on it. <device> is a device id or the device's endpoint URL.

Options:
  -c, --config FILE   gateway.yaml (default ${defaultConfigFile()}; env SPARKPLUG_GATEWAY_CONFIG)
`

export async function run(args: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({ args, allowPositionals: true, options: { config: { type: 'string', short: 'c' } } })
  } catch (error) {
    console.error(`trust: ${(error as Error).message}\n\n${help.trimEnd()}`)
    return EX_USAGE
  }
  const wanted = parsed.positionals[0]
  if (wanted === undefined || parsed.positionals.length > 1) {
    console.error(`trust: name one device\n\n${help.trimEnd()}`)
    return EX_USAGE
  }
  const loaded = await loadConfig(parsed.values.config ?? defaultConfigFile())
  if (!loaded.ok) {
    for (const e of loaded.error) console.error(formatError(e))
    return EX_CONFIG
  }
  const opcua = loaded.value.devices.filter((d) => d.driver === 'opcua')
  const device = opcua.find((d) => d.deviceId === wanted || (d.driverConfig as OpcuaDeviceConfig).endpoint === wanted)
  if (device === undefined) {
    console.error(`trust: no OPC UA device '${wanted}' (OPC UA devices: ${opcua.map((d) => d.deviceId).join(', ') || 'none'})`)
    return EX_USAGE
  }
  const config = device.driverConfig as OpcuaDeviceConfig
  const { trustServerCertificate } = await loadTrust()
  try {
    const cert = await trustServerCertificate(config.endpoint, withPki(config, loaded.value.stateDir).pkiDir, config.timeoutMs)
    console.log(`trusted the certificate of ${config.endpoint} (device ${device.deviceId}): ${cert.subject}, SHA-1 ${cert.thumbprint}${cert.wasRejected ? ', moved out of rejected/' : ''}`)
    return 0
  } catch (error) {
    console.error(`trust: ${device.deviceId}: ${(error as Error).message}`)
    return EX_UNAVAILABLE
  }
}
