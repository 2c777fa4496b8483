/** The OPC UA device file of the benchmarks: `items` Double variables of the bulk test server. */
export function opcuaDeviceYaml(endpoint: string, pkiDir: string, items: number, publishingMs: number): string {
  const lines = [
    'device: Opcua', 'driver: opcua',
    `connection: { endpoint: '${endpoint}', publishingInterval: ${publishingMs}ms, pkiDir: ${pkiDir} }`,
    'tags:',
  ]
  for (let i = 0; i < items; i++) lines.push(`  - { name: Bulk/V${i}, nodeId: 'ns=1;s=Bulk.${i}', type: Double, samplingInterval: 1s }`)
  return lines.join('\n') + '\n'
}
