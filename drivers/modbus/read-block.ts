/** One read request on the wire: FC1/2/3/4 for a block, returning coils as 0/1 or register words. */
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js'
import type { Table } from './types.js'

export async function readBlock(client: ModbusRTU, table: Table, start: number, length: number): Promise<number[]> {
  switch (table) {
    case 'CO': return (await client.readCoils(start, length)).data.slice(0, length).map(Number)
    case 'DI': return (await client.readDiscreteInputs(start, length)).data.slice(0, length).map(Number)
    case 'IR': return (await client.readInputRegisters(start, length)).data
    case 'HR': return (await client.readHoldingRegisters(start, length)).data
  }
}

export const describeRange = (table: Table, start: number, length: number): string =>
  length === 1 ? `${table}${start}` : `${table}${start}..${table}${start + length - 1}`
