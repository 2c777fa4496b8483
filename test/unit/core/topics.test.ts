import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deviceTopic, nodeTopic, parseTopic, stateTopic, topicFor } from '../../../gateway/base/topics.js'

const node = { groupId: 'Plant1', edgeNodeId: 'Gateway1' }

test('topics - node messages have four levels with the type at level 3 (tck-id topic-structure, topics-nbirth-topic)', () => {
  assert.equal(nodeTopic(node, 'NBIRTH'), 'spBv1.0/Plant1/NBIRTH/Gateway1')
  assert.equal(nodeTopic(node, 'NDEATH'), 'spBv1.0/Plant1/NDEATH/Gateway1')
  assert.equal(nodeTopic(node, 'NCMD'), 'spBv1.0/Plant1/NCMD/Gateway1')
})

test('topics - device messages add the device id as level 5 (tck-id topics-dbirth-topic, topics-ddata-topic)', () => {
  assert.equal(deviceTopic(node, 'DBIRTH', 'Boiler1'), 'spBv1.0/Plant1/DBIRTH/Gateway1/Boiler1')
  assert.equal(deviceTopic(node, 'DCMD', '+'), 'spBv1.0/Plant1/DCMD/Gateway1/+')
})

test('topics - STATE topic names the host id without a group (tck-id message-flow-edge-node-birth-publish-phid-wait)', () => {
  assert.equal(stateTopic('SCADA'), 'spBv1.0/STATE/SCADA')
})

test('topics - topicFor picks N or D messages by whether a device is given', () => {
  assert.equal(topicFor(node, 'DATA', null), 'spBv1.0/Plant1/NDATA/Gateway1')
  assert.equal(topicFor(node, 'DATA', 'Boiler1'), 'spBv1.0/Plant1/DDATA/Gateway1/Boiler1')
  assert.equal(topicFor(node, 'BIRTH', 'Boiler1'), 'spBv1.0/Plant1/DBIRTH/Gateway1/Boiler1')
  assert.equal(topicFor(node, 'DEATH', null), 'spBv1.0/Plant1/NDEATH/Gateway1')
})

test('topics - parseTopic reads a STATE topic', () => {
  assert.deepEqual(parseTopic('spBv1.0/STATE/SCADA'), { type: 'STATE', hostId: 'SCADA' })
})

test('topics - parseTopic reads node and device commands', () => {
  assert.deepEqual(parseTopic('spBv1.0/Plant1/NCMD/Gateway1'), { type: 'NCMD', groupId: 'Plant1', edgeNodeId: 'Gateway1', deviceId: null })
  assert.deepEqual(parseTopic('spBv1.0/Plant1/DCMD/Gateway1/Boiler1'), { type: 'DCMD', groupId: 'Plant1', edgeNodeId: 'Gateway1', deviceId: 'Boiler1' })
})

test('topics - parseTopic round-trips every builder', () => {
  for (const type of ['NBIRTH', 'NDEATH', 'NDATA', 'NCMD'] as const) {
    assert.deepEqual(parseTopic(nodeTopic(node, type)), { type, ...node, deviceId: null })
  }
  for (const type of ['DBIRTH', 'DDEATH', 'DDATA', 'DCMD'] as const) {
    assert.deepEqual(parseTopic(deviceTopic(node, type, 'Pump 2')), { type, ...node, deviceId: 'Pump 2' })
  }
})

test('topics - parseTopic returns null for another namespace (tck-id topic-structure-namespace-a)', () => {
  assert.equal(parseTopic('spAv1.0/Plant1/NCMD/Gateway1'), null)
  assert.equal(parseTopic('spBv1.1/STATE/SCADA'), null)
  assert.equal(parseTopic('other/Plant1/NCMD/Gateway1'), null)
})

test('topics - parseTopic returns null for a device type on a node topic and the reverse (tck-id topic-structure-namespace-device-id-*)', () => {
  assert.equal(parseTopic('spBv1.0/Plant1/DCMD/Gateway1'), null)
  assert.equal(parseTopic('spBv1.0/Plant1/NCMD/Gateway1/Boiler1'), null)
})

test('topics - parseTopic returns null for extra or missing levels', () => {
  assert.equal(parseTopic('spBv1.0/Plant1/DCMD/Gateway1/Boiler1/extra'), null)
  assert.equal(parseTopic('spBv1.0/STATE/SCADA/extra'), null)
  assert.equal(parseTopic('spBv1.0/STATE'), null)
  assert.equal(parseTopic('spBv1.0/Plant1/NCMD'), null)
  assert.equal(parseTopic('spBv1.0'), null)
})

test('topics - parseTopic returns null for garbage', () => {
  assert.equal(parseTopic(''), null)
  assert.equal(parseTopic('/'), null)
  assert.equal(parseTopic('spBv1.0/Plant1/NFOO/Gateway1'), null)
  assert.equal(parseTopic('spBv1.0/Plant1/ncmd/Gateway1'), null)
})
