/**
 * Every driver the gateway knows, by the `driver:` value of a device file. A static list with
 * explicit imports: no plugin discovery. The running gateway (config loading, the poll loops)
 * reaches drivers only through this list; the command-line tools `browse`, `trust` and `demo`
 * through the `tools.ts` each driver exports for them.
 */
import type { DriverModule } from './driver.js'
import { modbusModule } from './modbus/index.js'
import { opcuaModule } from './opcua/index.js'
import { simulatorModule } from './simulator/index.js'

// `any`: each module has its own config type, and `create(config: C)` makes the list invariant in C.
const modules: readonly DriverModule<any>[] = [modbusModule, opcuaModule, simulatorModule]

export const drivers: Readonly<Record<string, DriverModule<any>>> = Object.fromEntries(
  modules.flatMap((module) => module.kinds.map((kind) => [kind, module])),
)
