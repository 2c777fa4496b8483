/** The variables of the test server (opcua-server-main.ts) and the values they start with. */
export type OpcuaTypeName =
  | 'Boolean' | 'SByte' | 'Byte' | 'Int16' | 'UInt16' | 'Int32' | 'UInt32' | 'Int64' | 'UInt64' | 'Float' | 'Double'
  | 'String' | 'DateTime' | 'Guid' | 'ByteString' | 'LocalizedText' | 'QualifiedName' | 'StatusCode' | 'XmlElement'

/** Every built-in scalar the driver maps, with the value the test reads back. */
export const scalars: readonly { readonly name: string; readonly dataType: OpcuaTypeName; readonly value: unknown }[] = [
  { name: 'Boolean', dataType: 'Boolean', value: true },
  { name: 'SByte', dataType: 'SByte', value: -5 },
  { name: 'Byte', dataType: 'Byte', value: 200 },
  { name: 'Int16', dataType: 'Int16', value: -30000 },
  { name: 'UInt16', dataType: 'UInt16', value: 60000 },
  { name: 'Int32', dataType: 'Int32', value: -2000000000 },
  { name: 'UInt32', dataType: 'UInt32', value: 4000000000 },
  { name: 'Int64', dataType: 'Int64', value: '-9007199254740993' },
  { name: 'UInt64', dataType: 'UInt64', value: '18446744073709551615' },
  { name: 'Float', dataType: 'Float', value: 1.5 },
  { name: 'Double', dataType: 'Double', value: 3.25 },
  { name: 'String', dataType: 'String', value: 'hello' },
  { name: 'DateTime', dataType: 'DateTime', value: '2024-05-06T07:08:09.123Z' },
  { name: 'Guid', dataType: 'Guid', value: '72962B91-FA75-4AE6-8D28-B404DC7DAF63' },
  { name: 'ByteString', dataType: 'ByteString', value: [1, 2, 3] },
  { name: 'LocalizedText', dataType: 'LocalizedText', value: { text: 'Boiler', locale: 'en' } },
  { name: 'QualifiedName', dataType: 'QualifiedName', value: { namespaceIndex: 1, name: 'Q' } },
  { name: 'StatusCode', dataType: 'StatusCode', value: 'BadSensorFailure' },
  { name: 'XmlElement', dataType: 'XmlElement', value: '<a>1</a>' },
]

