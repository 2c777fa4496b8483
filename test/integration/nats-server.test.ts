import { after, describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { connect, credsAuthenticator, Events, nanos, nkeyAuthenticator, StorageType, type ConnectionOptions, type NatsConnection } from 'nats'
import { credsFile, nkeyUser, operatorMode } from '../helpers/nats-credentials.js'
import { startNatsCluster, startNatsServer } from '../helpers/nats-server.js'
import { hasOpenssl, makeTestCa } from '../helpers/test-certs.js'

const encode = (text: string): Uint8Array => new TextEncoder().encode(text)

/** Connects once (no reconnect) and closes again; rejects with the server's refusal. */
async function connectOnce(options: ConnectionOptions): Promise<string> {
  const nc = await connect({ reconnect: false, ...options })
  const name = nc.info?.server_name ?? ''
  await nc.close()
  return name
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('nats-server helper', () => {
  test('nats-server helper - a JetStream server keeps its stream across kill -9 and start, on the same port', async () => {
    const server = await startNatsServer({ jetstream: true })
    let nc: NatsConnection = await connect({ servers: server.url, reconnect: false })
    const jsm = await nc.jetstreamManager()
    await jsm.streams.add({ name: 'T', subjects: ['t.>'], storage: StorageType.File })
    assert.equal((await nc.jetstream().publish('t.a', encode('1'), { msgID: 'one' })).seq, 1)
    await nc.close()
    const firstPid = server.pid
    await server.kill()
    assert.equal(isRunning(firstPid), false, 'the killed process is gone')
    await server.start()
    assert.notEqual(server.pid, firstPid)
    nc = await connect({ servers: server.url, reconnect: false })
    const info = await (await nc.jetstreamManager()).streams.info('T')
    assert.equal(info.state.messages, 1)
    await nc.close()
    await server.stop()
    assert.equal(server.running, false)
  })

  test('nats-server helper - token and user/password auth: the right secret is accepted, a wrong one refused', async () => {
    const tokenServer = await startNatsServer({ auth: { token: 's3cret' } })
    assert.equal(await connectOnce({ servers: tokenServer.url, token: 's3cret' }), tokenServer.name)
    await assert.rejects(connectOnce({ servers: tokenServer.url, token: 'guess' }), /Authorization Violation/)
    await tokenServer.stop()
    const userServer = await startNatsServer({ auth: { users: [{ user: 'gw', password: 'pw 1' }] } })
    assert.equal(await connectOnce({ servers: userServer.url, user: 'gw', pass: 'pw 1' }), userServer.name)
    await assert.rejects(connectOnce({ servers: userServer.url, user: 'gw', pass: 'pw 2' }), /Authorization Violation/)
    await assert.rejects(connectOnce({ servers: userServer.url }), /Authorization Violation/)
    await userServer.stop()
  })

  test('nats-server helper - an NKey user is accepted with its seed, refused with another seed', async () => {
    const user = nkeyUser()
    const server = await startNatsServer({ auth: { users: [{ nkey: user.publicKey }] } })
    assert.equal(await connectOnce({ servers: server.url, authenticator: nkeyAuthenticator(encode(user.seed)) }), server.name)
    await assert.rejects(connectOnce({ servers: server.url, authenticator: nkeyAuthenticator(encode(nkeyUser().seed)) }), /Authorization Violation/)
    await server.stop()
  })

  test('nats-server helper - operator mode: a .creds file signed here is accepted; its JWT with a wrong seed is refused', async () => {
    const operator = operatorMode()
    const server = await startNatsServer({ auth: { operator: operator.trust }, jetstream: true })
    const user = operator.user('gateway')
    assert.equal(await connectOnce({ servers: server.url, authenticator: credsAuthenticator(encode(user.creds)) }), server.name)
    // The account enables JetStream: a user of it may create a stream.
    const nc = await connect({ servers: server.url, authenticator: credsAuthenticator(encode(user.creds)), reconnect: false })
    await (await nc.jetstreamManager()).streams.add({ name: 'OP', subjects: ['op.>'] })
    await nc.close()
    const stolen = credsFile(user.jwt, operator.user('other').seed)
    await assert.rejects(connectOnce({ servers: server.url, authenticator: credsAuthenticator(encode(stolen)) }), /Authorization Violation/)
    await server.stop()
  })

  const tls = hasOpenssl ? makeTestCa() : undefined
  after(() => tls?.remove())
  test('nats-server helper - TLS: a client trusting the CA connects to tls://, one without it is refused', { skip: tls ? false : 'openssl is not installed' }, async () => {
    // nats.js 2.x verifies a server reached at an IP address against the name "localhost" (it
    // passes an empty servername to Node's TLS): the certificate names both.
    const server = await startNatsServer({ tls: { ca: tls!.ca, ...tls!.issue('nats', 'IP:127.0.0.1,DNS:localhost') } })
    assert.match(server.url, /^tls:\/\/127\.0\.0\.1:\d+$/)
    assert.equal(await connectOnce({ servers: server.url, tls: { caFile: tls!.ca } }), server.name)
    await assert.rejects(connectOnce({ servers: server.url, tls: {} }), /certificate/)
    await server.stop()
  })

  test('nats-server helper - a three-server cluster keeps an R3 stream acknowledging after the connected server is killed', async () => {
    const cluster = await startNatsCluster()
    const nc = await connect({ servers: [...cluster.urls], reconnectTimeWait: 100, maxReconnectAttempts: -1 })
    try {
      assert.deepEqual(cluster.servers.map((s) => s.name), ['n1', 'n2', 'n3'])
      const jsm = await nc.jetstreamManager()
      await jsm.streams.add({ name: 'R3', subjects: ['r3.>'], num_replicas: 3, storage: StorageType.File, duplicate_window: nanos(60_000) })
      const js = nc.jetstream()
      assert.equal((await js.publish('r3.a', encode('1'), { msgID: 'm1' })).seq, 1)

      const connectedTo = cluster.servers.find((s) => s.name === nc.info?.server_name)!
      const reconnected = waitForStatus(nc, Events.Reconnect)
      await connectedTo.kill()
      await reconnected
      assert.notEqual(nc.info?.server_name, connectedTo.name)

      // The two servers left elect a new stream leader (5-10 s here); until then a publish finds no
      // responders at once. After that one may still go unanswered: resent with the same
      // Nats-Msg-Id it is stored once. Bounded by count, not by time.
      await cluster.streamLeader(jsm, 'R3')
      let ack
      let lastError: unknown
      for (let attempt = 0; ack === undefined && attempt < 20; attempt++) {
        ack = await js.publish('r3.b', encode('2'), { msgID: 'm2', timeout: 2_000 }).catch((err: unknown) => void (lastError = err))
      }
      assert.ok(ack, `a PubAck arrived from the two remaining servers (last error: ${String(lastError)})`)
      assert.equal(ack.seq, 2)
      assert.equal(ack.duplicate, false)
      const info = await jsm.streams.info('R3')
      assert.equal(info.state.messages, 2)
      assert.equal(info.config.num_replicas, 3)
    } finally {
      await nc.close()
      await cluster.stop()
    }
  })
})

async function waitForStatus(nc: NatsConnection, type: string): Promise<void> {
  for await (const status of nc.status()) if (status.type === type) return
}
