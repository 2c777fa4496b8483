/** What the command-line tools (`demo`) use of the Modbus driver, and all they may use. */
export { demoRegisters, freePort, startDemoModbusServer } from './demo-server.js'
