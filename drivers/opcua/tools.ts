/**
 * What the command-line tools (`browse`, `trust`, `demo`) use of the OPC UA driver, and all they
 * may use. The loaders import node-opcua only when a tool runs, never when this file is imported.
 */
export { withPki, type OpcuaDeviceConfig } from './config.js'
export { nodeIdProblem } from './node-id.js'
export { parseConnection } from './parse-connection.js'

export const loadBrowse = () => import('./browse.js')
export const loadTrust = () => import('./trust.js')
export const loadDemoServer = () => import('./demo-server.js')
