import { after, describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { StorageType, nanos } from 'nats'
import { silentLog } from '../../gateway/runtime/log.js'
import { parseTopic } from '../../gateway/base/topics.js'
import { createNatsUpstream } from '../../gateway/upstream/nats-upstream.js'
import { UndeliverableError, UpstreamError, type Message } from '../../gateway/upstream/upstream.js'
import { upstreamContract } from '../contract/upstream.contract.js'
import { credsFile, nkeyUser, operatorMode } from '../helpers/nats-credentials.js'
import { startNatsServer, type NatsServerOptions } from '../helpers/nats-server.js'
import { startRig } from '../helpers/rig.js'
import { recordingLog } from '../helpers/fake-upstream.js'
import { hasOpenssl, makeTestCa } from '../helpers/test-certs.js'
import { client, natsConfig, natsContractParts } from '../helpers/nats-upstream-kit.js'

const node = { node: { groupId: 'G', edgeNodeId: 'E' }, primaryHostId: null }
const to = (topic: string, bytes: string, kind: Message['kind'] = 'session', id?: string): Message => ({
  address: parseTopic(topic)!,
  payload: new TextEncoder().encode(bytes),
  kind,
  ...(id === undefined ? {} : { id }),
})
const death = to('spBv1.0/G/NDEATH/E', 'death')

/** A nats-server stopped when `t` ends. */
const natsServer = async (t: TestContext, options: NatsServerOptions) => (await startRig(t, { nats: options })).nats

/** A nats-server and a plain client of it, both stopped when `t` ends. */
async function serverWithClient(t: TestContext, options: NatsServerOptions = {}) {
  const rig = await startRig(t, { nats: options })
  const nc = await client(rig.url)
  rig.defer(() => nc.close())
  return { server: rig.nats, nc, defer: rig.defer }
}

for (const mode of ['core', 'jetstream'] as const) {
  upstreamContract(`nats-upstream ${mode}`, async () => {
    const server = await startNatsServer({ jetstream: true })
    const upstream = createNatsUpstream(natsConfig([server.url], { mode }), silentLog)
    return {
      upstream,
      ...natsContractParts(server.url),
      killServer: () => server.kill(),
      close: () => server.stop(),
    }
  })
}

describe('nats-upstream', () => {
  const ca = hasOpenssl ? makeTestCa() : undefined
  after(() => ca?.remove())

  test('nats-upstream - TLS: the server certificate is checked against the URL\'s IP address; a certificate for another name is refused unless verifyHostname is off', { skip: ca ? false : 'openssl is not installed' }, async (t) => {
    const right = await natsServer(t, { tls: { ca: ca!.ca, ...ca!.issue('nats-ip', 'IP:127.0.0.1') } })
    const other = await natsServer(t, { tls: { ca: ca!.ca, ...ca!.issue('nats-other', 'DNS:plc.example') } })
    const verifying = createNatsUpstream(natsConfig([right.url, other.url], { tls: { ca: ca!.ca, verifyHostname: true } }), silentLog)
    await verifying.connect({ server: 0, will: death, ...node })
    await verifying.disconnect()
    await assert.rejects(verifying.connect({ server: 1, will: death, ...node }), (err: unknown) => err instanceof UpstreamError && err.kind === 'tls' && /127\.0\.0\.1/.test(err.message))
    const lenient = createNatsUpstream(natsConfig([other.url], { tls: { ca: ca!.ca, verifyHostname: false } }), silentLog)
    await lenient.connect({ server: 0, will: death, ...node })
    await lenient.disconnect()
    const untrusting = createNatsUpstream(natsConfig([right.url], { tls: { verifyHostname: true } }), silentLog)
    await assert.rejects(untrusting.connect({ server: 0, will: death, ...node }), (err: unknown) => err instanceof UpstreamError && err.kind === 'tls')
  })

  test('nats-upstream - subjects follow nats-server\'s MQTT mapping: spBv1.0/G/DDATA/E/Boiler.1 is spBv1//0.G.DDATA.E.Boiler//1', async (t) => {
    const { server, nc } = await serverWithClient(t)
    const upstream = createNatsUpstream(natsConfig([server.url]), silentLog)
    const seen: string[] = []
    nc.subscribe('spBv1//0.>', { callback: (_err, msg) => seen.push(msg.subject) })
    await nc.flush()
    await upstream.connect({ server: 0, will: death, ...node })
    await upstream.publish(to('spBv1.0/G/DDATA/E/Boiler.1', 'x', 'data'))
    await upstream.disconnect(death)
    await nc.flush()
    assert.deepEqual(seen, ['spBv1//0.G.DDATA.E.Boiler//1', 'spBv1//0.G.NDEATH.E'])
  })

  test('nats-upstream - JetStream: the stream is created with the node\'s subjects; a data message with the same id is stored once', async (t) => {
    const { server, nc } = await serverWithClient(t, { jetstream: true })
    const upstream = createNatsUpstream(natsConfig([server.url], { mode: 'jetstream' }), silentLog)
    await upstream.connect({ server: 0, will: death, ...node })
    await upstream.publish(to('spBv1.0/G/DDATA/E/D1', 'row 1', 'data', 'G.E.1.1000'))
    await upstream.publish(to('spBv1.0/G/DDATA/E/D1', 'row 1 again', 'data', 'G.E.1.1000'))
    await upstream.publish(to('spBv1.0/G/DDATA/E/D1', 'row 2', 'data', 'G.E.2.1001'))
    await upstream.disconnect(death)
    const info = await (await nc.jetstreamManager()).streams.info('SPARKPLUG')
    assert.deepEqual(info.config.subjects, ['spBv1//0.G.NBIRTH.E', 'spBv1//0.G.NDEATH.E', 'spBv1//0.G.NDATA.E', 'spBv1//0.G.DBIRTH.E.*', 'spBv1//0.G.DDEATH.E.*', 'spBv1//0.G.DDATA.E.*'])
    assert.equal(info.config.storage, StorageType.File)
    assert.equal(info.state.messages, 3, 'row 1 once, row 2, and the NDEATH')
  })

  test('nats-upstream - JetStream: a stream without our subjects, or with a short duplicate window, is a clear error', async (t) => {
    const { server, nc } = await serverWithClient(t, { jetstream: true })
    const jsm = await nc.jetstreamManager()
    await jsm.streams.add({ name: 'OTHER', subjects: ['spBv1//0.OtherGroup.>'], storage: StorageType.File })
    await jsm.streams.add({ name: 'SHORT', subjects: ['spBv1//0.G.>'], storage: StorageType.File, duplicate_window: nanos(60_000) })
    const other = createNatsUpstream(natsConfig([server.url], { mode: 'jetstream', jetstream: { stream: 'OTHER' } as never }), silentLog)
    await assert.rejects(other.connect({ server: 0, will: death, ...node }), (err: unknown) => {
      assert.ok(err instanceof UpstreamError && err.kind === 'refused')
      assert.match(err.message, /stream OTHER .* does not store spBv1\/\/0\.G\.NBIRTH\.E.*its subjects: spBv1\/\/0\.OtherGroup\.>/)
      return true
    })
    const short = createNatsUpstream(natsConfig([server.url], { mode: 'jetstream', jetstream: { stream: 'SHORT' } as never }), silentLog)
    await assert.rejects(short.connect({ server: 0, will: death, ...node }), /keeps message ids for 60000 ms, shorter than upstream\.nats\.jetstream\.duplicateWindow \(3600000 ms\)/)
    const missing = createNatsUpstream(natsConfig([server.url], { mode: 'jetstream', jetstream: { stream: 'NOPE', create: false } as never }), silentLog)
    await assert.rejects(missing.connect({ server: 0, will: death, ...node }), /stream NOPE does not exist .* set upstream\.nats\.jetstream\.create: true/)
  })

  test('nats-upstream - JetStream: a publish the server\'s permissions deny is refused for good, naming the subject, instead of waiting for a PubAck that never comes; the session stays', { timeout: 20_000 }, async (t) => {
    const users = [{ user: 'gw', password: 'gw-pw', publishDeny: ['spBv1//0.G.DDATA.E.Denied'] }]
    const server = await natsServer(t, { jetstream: true, auth: { users } })
    const config = natsConfig([server.url], { mode: 'jetstream', auth: { kind: 'user', username: 'gw', password: 'gw-pw' } })
    // An ack timeout longer than the test's own: a refusal seen only as a missing PubAck fails it.
    const upstream = createNatsUpstream({ ...config, jetstream: { ...config.jetstream, ackTimeoutMs: 60_000 } }, silentLog)
    let downs = 0
    upstream.onEvent((e) => void (e.type === 'down' ? downs++ : undefined))
    t.after(() => upstream.disconnect())
    await upstream.connect({ server: 0, will: death, ...node })
    const refused = await upstream.publish(to('spBv1.0/G/DDATA/E/Denied', 'row 1', 'data', 'G.E.1.1')).then(() => null, (e: unknown) => e)
    assert.ok(refused instanceof UndeliverableError, `refused for good: ${String(refused)}`)
    assert.match(refused.message, /spBv1\/\/0\.G\.DDATA\.E\.Denied/)
    assert.match(refused.message, /permission/i)
    await upstream.publish(to('spBv1.0/G/DDATA/E/Allowed', 'row 2', 'data', 'G.E.2.2'))
    assert.equal(downs, 0, 'the session stayed up')
  })

  test('nats-upstream - core NATS: a publish the server\'s permissions deny (which core NATS cannot refuse) is logged once as a warning naming the subject', async (t) => {
    const server = await natsServer(t, { auth: { users: [{ user: 'gw', password: 'gw-pw', publishDeny: ['spBv1//0.G.DDATA.E.Denied'] }] } })
    const log = recordingLog()
    const upstream = createNatsUpstream(natsConfig([server.url], { auth: { kind: 'user', username: 'gw', password: 'gw-pw' } }), log)
    t.after(() => upstream.disconnect())
    await upstream.connect({ server: 0, will: death, ...node })
    for (const row of ['1', '2', '3']) await upstream.publish(to('spBv1.0/G/DDATA/E/Denied', row, 'data'))
    await upstream.publish(to('spBv1.0/G/DDATA/E/Allowed', 'x', 'data'))
    const denied = (l: { level: string; message: string }) => l.level === 'warn' && /permission/.test(l.message)
    const [line] = await log.lines.waitForCount(denied, 1, 10_000)
    assert.equal(line!.fields.subject, 'spBv1//0.G.DDATA.E.Denied')
    // The three -ERR lines come in order, before the answer to the flush after the NDEATH.
    await upstream.disconnect(death)
    assert.equal(log.lines.items.filter(denied).length, 1, 'one line for the subject, not one per message')
  })

  test('nats-upstream - a command sent as a request can be answered', async (t) => {
    const { server, nc, defer } = await serverWithClient(t)
    const upstream = createNatsUpstream(natsConfig([server.url]), silentLog)
    upstream.onEvent((event) => {
      if (event.type === 'message') event.reply?.(new TextEncoder().encode(`got ${event.payload.length} bytes on ${event.origin}`))
    })
    defer(() => upstream.disconnect())
    await upstream.connect({ server: 0, will: death, ...node })
    const answer = await nc.request('spBv1//0.G.DCMD.E.Pump1', Uint8Array.from([1, 2]), { timeout: 5000 })
    assert.equal(answer.string(), 'got 2 bytes on spBv1//0.G.DCMD.E.Pump1')
  })

  test('nats-upstream - NKey and JWT credentials are accepted; a wrong seed is refused naming the seed file', async (t) => {
    const user = nkeyUser()
    const stranger = nkeyUser()
    const nkeyServer = await natsServer(t, { auth: { users: [{ nkey: user.publicKey }] } })
    const operator = operatorMode()
    const jwtServer = await natsServer(t, { jetstream: true, auth: { operator: operator.trust } })
    const right = createNatsUpstream(natsConfig([nkeyServer.url], { auth: { kind: 'nkey', seed: user.seed, seedFile: '/etc/gw/right.nk' } }), silentLog)
    await right.connect({ server: 0, will: death, ...node })
    await right.disconnect()
    const wrong = createNatsUpstream(natsConfig([nkeyServer.url], { auth: { kind: 'nkey', seed: stranger.seed, seedFile: '/etc/gw/wrong.nk' } }), silentLog)
    await assert.rejects(wrong.connect({ server: 0, will: death, ...node }), (err: unknown) => {
      assert.ok(err instanceof UpstreamError && err.kind === 'refused', String(err))
      assert.match(err.message, /refused the connection with the NKey seed in \/etc\/gw\/wrong\.nk/)
      return true
    })
    const gw = operator.user('gateway')
    const jwt = createNatsUpstream(natsConfig([jwtServer.url], { mode: 'jetstream', auth: { kind: 'credentials', credentials: credsFile(gw.jwt, gw.seed), credentialsFile: '/etc/gw/gw.creds' } }), silentLog)
    await jwt.connect({ server: 0, will: death, ...node })
    await jwt.publish(to('spBv1.0/G/NDATA/E', 'stored', 'data', 'G.E.1.1'))
    await jwt.disconnect()
  })
})
