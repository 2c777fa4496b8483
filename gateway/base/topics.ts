/** Sparkplug B topic names: `spBv1.0/<group>/<type>/<edge node>[/<device>]` and `spBv1.0/STATE/<host>`. */

export const NAMESPACE = 'spBv1.0'

export type NodeMessageType = 'NBIRTH' | 'NDEATH' | 'NDATA' | 'NCMD'
export type DeviceMessageType = 'DBIRTH' | 'DDEATH' | 'DDATA' | 'DCMD'
export type MessageType = NodeMessageType | DeviceMessageType

export interface NodeAddress {
  readonly groupId: string
  readonly edgeNodeId: string
}

export function nodeTopic(node: NodeAddress, type: NodeMessageType): string {
  return `${NAMESPACE}/${node.groupId}/${type}/${node.edgeNodeId}`
}

export function deviceTopic(node: NodeAddress, type: DeviceMessageType, deviceId: string): string {
  return `${NAMESPACE}/${node.groupId}/${type}/${node.edgeNodeId}/${deviceId}`
}

export function stateTopic(hostId: string): string {
  return `${NAMESPACE}/STATE/${hostId}`
}

/** The topic of a node message, or of a device message when `deviceId` is given. */
export function topicFor(node: NodeAddress, kind: 'BIRTH' | 'DEATH' | 'DATA', deviceId: string | null): string {
  return deviceId === null
    ? nodeTopic(node, `N${kind}`)
    : deviceTopic(node, `D${kind}`, deviceId)
}

/**
 * Where a Sparkplug message goes or came from, independent of how an upstream spells it (an MQTT
 * topic with `/`, a NATS subject with `.`).
 */
export type SparkplugAddress =
  | { readonly type: 'STATE'; readonly hostId: string }
  | { readonly type: MessageType; readonly groupId: string; readonly edgeNodeId: string; readonly deviceId: string | null }

/** The Sparkplug (MQTT) topic of an address. */
export function topicOf(address: SparkplugAddress): string {
  if (address.type === 'STATE') return stateTopic(address.hostId)
  const base = `${NAMESPACE}/${address.groupId}/${address.type}/${address.edgeNodeId}`
  return address.deviceId === null ? base : `${base}/${address.deviceId}`
}

/** The address of a node message, or of a device message when `deviceId` is given. */
export function addressOf(node: NodeAddress, kind: 'BIRTH' | 'DEATH' | 'DATA', deviceId: string | null): SparkplugAddress {
  return deviceId === null
    ? { type: `N${kind}`, groupId: node.groupId, edgeNodeId: node.edgeNodeId, deviceId: null }
    : { type: `D${kind}`, groupId: node.groupId, edgeNodeId: node.edgeNodeId, deviceId }
}

const nodeTypes = new Set(['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'])
const deviceTypes = new Set(['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'])

/** Parses a Sparkplug topic; null for anything that is not one. */
export function parseTopic(topic: string): SparkplugAddress | null {
  const parts = topic.split('/')
  if (parts[0] !== NAMESPACE) return null
  if (parts[1] === 'STATE' && parts.length === 3) return { type: 'STATE', hostId: parts[2] }
  const [, groupId, type, edgeNodeId, deviceId] = parts
  if (parts.length === 4 && nodeTypes.has(type)) return { type: type as MessageType, groupId, edgeNodeId, deviceId: null }
  if (parts.length === 5 && deviceTypes.has(type)) return { type: type as MessageType, groupId, edgeNodeId, deviceId: deviceId! }
  return null
}
