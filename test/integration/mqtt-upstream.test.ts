import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import type { Socket } from 'node:net'
import { createMqttUpstream } from '../../gateway/upstream/mqtt-upstream.js'
import { silentLog } from '../../gateway/runtime/log.js'
import { observe } from '../helpers/mqtt-observer.js'
import { closedPort } from '../helpers/ports.js'
import { brokerPool, deathOf, inject, isKind, messageTo, mqttConfig, mqttContractParts, nextDown, takeOver, testNode, waitMs } from '../helpers/mqtt-upstream-kit.js'
import { upstreamContract } from '../contract/upstream.contract.js'

const broker = brokerPool()

for (const version of ['3.1.1', '5'] as const) {
  const protocolVersion = version === '5' ? 5 : 4

  upstreamContract(`mqtt-upstream ${version}`, async () => {
    const server = await broker()
    const upstream = createMqttUpstream(mqttConfig([server.url], version), silentLog)
    return {
      upstream,
      ...mqttContractParts(server.url, protocolVersion),
      killServer: () => server.stop('SIGKILL'),
      close: () => server.stop(),
    }
  })

  describe(`mqtt-upstream ${version}`, () => {
    test(`mqtt-upstream ${version} - the will is delivered at QoS 1, not retained, when the session is taken over`, async () => {
      const server = await broker()
      const config = mqttConfig([server.url], version)
      const upstream = createMqttUpstream(config, silentLog)
      const observer = await observe(server.url)
      try {
        await upstream.connect({ server: 0, will: deathOf('bdSeq=7'), ...testNode })
        const down = nextDown(upstream)
        await takeOver(server.url, config.clientId, protocolVersion)
        const death = await observer.waitFor((m) => m.topic === 'spBv1.0/G/NDEATH/E', waitMs)
        assert.equal(death.payload.toString(), 'bdSeq=7')
        assert.equal(death.qos, 1)
        assert.equal(death.retain, false)
        await down
      } finally {
        await upstream.disconnect()
        await observer.close()
        await server.stop()
      }
    })

    test(`mqtt-upstream ${version} - data goes at dataQos, births at QoS 0, nothing retained`, async () => {
      const server = await broker()
      const observer = await observe(server.url)
      try {
        for (const dataQos of [0, 1] as const) {
          const upstream = createMqttUpstream(mqttConfig([server.url], version, { dataQos }), silentLog)
          await upstream.connect({ server: 0, will: deathOf('x'), ...testNode })
          await upstream.publish(messageTo('spBv1.0/G/NBIRTH/E', `birth${dataQos}`))
          await upstream.publish(messageTo('spBv1.0/G/DDATA/E/D1', `data${dataQos}`, 'data'))
          await upstream.disconnect()
        }
        const seen = await observer.waitForCount((m) => m.topic !== 'spBv1.0/G/NDEATH/E', 4, waitMs)
        assert.deepEqual(seen.map((m) => [m.payload.toString(), m.qos, m.retain]), [
          ['birth0', 0, false], ['data0', 0, false], ['birth1', 0, false], ['data1', 1, false],
        ])
      } finally {
        await observer.close()
        await server.stop()
      }
    })

    test(`mqtt-upstream ${version} - each connect carries its own will`, async () => {
      const server = await broker()
      const config = mqttConfig([server.url], version)
      const upstream = createMqttUpstream(config, silentLog)
      const observer = await observe(server.url)
      try {
        for (const payload of ['bdSeq=1', 'bdSeq=2']) {
          await upstream.connect({ server: 0, will: deathOf(payload), ...testNode })
          const down = nextDown(upstream)
          await takeOver(server.url, config.clientId, protocolVersion)
          await down
        }
        const deaths = await observer.waitForCount((m) => m.topic === 'spBv1.0/G/NDEATH/E', 2, waitMs)
        assert.deepEqual(deaths.map((m) => m.payload.toString()), ['bdSeq=1', 'bdSeq=2'])
      } finally {
        await upstream.disconnect()
        await observer.close()
        await server.stop()
      }
    })

    test(`mqtt-upstream ${version} - onConnectSent is called once per CONNECT and not when the port refuses`, async () => {
      const server = await broker()
      const refusing = await closedPort()
      const upstream = createMqttUpstream(mqttConfig([`mqtt://127.0.0.1:${refusing}`, server.url], version), silentLog)
      let sent = 0
      const onConnectSent = (): void => void sent++
      await assert.rejects(upstream.connect({ server: 0, will: deathOf('x'), ...testNode, onConnectSent }), isKind('unreachable', /127\.0\.0\.1/))
      assert.equal(sent, 0)
      await upstream.connect({ server: 1, will: deathOf('x'), ...testNode, onConnectSent })
      assert.equal(sent, 1)
      await upstream.disconnect()
      await server.stop()
    })

    test(`mqtt-upstream ${version} - bad credentials are refused with a plain message`, async () => {
      const server = await broker({ users: { gw: 'right' } })
      const wrong = createMqttUpstream(mqttConfig([server.url], version, { username: 'gw', password: 'wrong' }), silentLog)
      await assert.rejects(wrong.connect({ server: 0, will: deathOf('x'), ...testNode }), isKind('refused', /username or password|not authorized/))
      const right = createMqttUpstream(mqttConfig([server.url], version, { username: 'gw', password: 'right' }), silentLog)
      await right.connect({ server: 0, will: deathOf('x'), ...testNode })
      await right.disconnect()
      await server.stop()
    })

    test(`mqtt-upstream ${version} - failover: servers[0] unreachable, servers[1] connects`, async () => {
      const server = await broker()
      const dead = `mqtt://127.0.0.1:${await closedPort()}`
      const upstream = createMqttUpstream(mqttConfig([dead, server.url], version), silentLog)
      assert.deepEqual(upstream.servers, [dead, server.url])
      await assert.rejects(upstream.connect({ server: 0, will: deathOf('x'), ...testNode }), isKind('unreachable'))
      await upstream.connect({ server: 1, will: deathOf('x'), ...testNode })
      await upstream.publish(messageTo('spBv1.0/G/NDATA/E', Buffer.from('ok'), 'data'))
      await upstream.disconnect()
      await server.stop()
    })

    test(`mqtt-upstream ${version} - disconnect(final) publishes the final message before DISCONNECT`, async () => {
      const server = await broker()
      const upstream = createMqttUpstream(mqttConfig([server.url], version), silentLog)
      const observer = await observe(server.url)
      try {
        await upstream.connect({ server: 0, will: deathOf('will'), ...testNode })
        await upstream.disconnect(deathOf('final'))
        // A marker from another client after the disconnect: anything the broker sends for our
        // session (the will) is delivered before it.
        await inject(server.url, 'spBv1.0/G/MARKER', 'm')
        await observer.waitFor((m) => m.topic === 'spBv1.0/G/MARKER', waitMs)
        const deaths = observer.messages.filter((m) => m.topic === 'spBv1.0/G/NDEATH/E').map((m) => m.payload.toString())
        // MQTT 5 DISCONNECT carries reason 0x04, so the broker publishes the will as well.
        assert.deepEqual(deaths, version === '5' ? ['final', 'will'] : ['final'])
      } finally {
        await observer.close()
        await server.stop()
      }
    })
  })
}

test('mqtt-upstream - after down, connect makes a new session once the broker is back', async () => {
  const server = await broker()
  const upstream = createMqttUpstream(mqttConfig([server.url], '3.1.1'), silentLog)
  await upstream.connect({ server: 0, will: deathOf('first'), ...testNode })
  const down = nextDown(upstream)
  await server.stop('SIGKILL')
  await down
  await server.restart()
  const observer = await observe(server.url)
  try {
    await upstream.connect({ server: 0, will: deathOf('second'), ...testNode })
    await upstream.publish(messageTo('spBv1.0/G/NBIRTH/E', Buffer.from('again'), 'session'))
    const birth = await observer.waitFor((m) => m.topic === 'spBv1.0/G/NBIRTH/E', waitMs)
    assert.equal(birth.payload.toString(), 'again')
  } finally {
    await upstream.disconnect()
    await observer.close()
    await server.stop()
  }
})

test('mqtt-upstream - a broker that stops answering is detected by keepalive and reported as down', async () => {
  const server = await broker()
  const upstream = createMqttUpstream(mqttConfig([server.url], '3.1.1', { keepaliveMs: 1000 }), silentLog)
  await upstream.connect({ server: 0, will: deathOf('x'), ...testNode })
  const down = nextDown(upstream)
  process.kill(server.pid, 'SIGSTOP')
  try {
    const event = await down
    assert.match(String(event.type === 'down' && event.error?.message), /keepalive/i)
  } finally {
    process.kill(server.pid, 'SIGCONT')
    await server.stop()
  }
})

test('mqtt-upstream - a port nobody listens on is unreachable', async () => {
  const upstream = createMqttUpstream(mqttConfig([`mqtt://127.0.0.1:${await closedPort()}`], '3.1.1'), silentLog)
  await assert.rejects(upstream.connect({ server: 0, will: deathOf('x'), ...testNode }), isKind('unreachable', /ECONNREFUSED/))
})

/** A TCP server that accepts connections and never answers, like a hung broker. */
async function silentServer(): Promise<{ url: string; close(): void }> {
  const sockets = new Set<Socket>()
  const server = createServer((socket) => void sockets.add(socket))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () => {
      for (const socket of sockets) socket.destroy()
      server.close()
    },
  }
}

test('mqtt-upstream - a server that accepts TCP but never answers CONNECT times out', async () => {
  const silent = await silentServer()
  const upstream = createMqttUpstream(mqttConfig([silent.url], '5', { connectTimeoutMs: 300 }), silentLog)
  try {
    await assert.rejects(upstream.connect({ server: 0, will: deathOf('x'), ...testNode }), isKind('timeout'))
  } finally {
    silent.close()
  }
})

test('mqtt-upstream - disconnect while connecting cancels the connect with kind closed', async () => {
  const silent = await silentServer()
  const upstream = createMqttUpstream(mqttConfig([silent.url], '3.1.1', { connectTimeoutMs: 60_000 }), silentLog)
  try {
    let sent = false
    const connecting = upstream.connect({ server: 0, will: deathOf('x'), ...testNode, onConnectSent: () => (sent = true) })
    const connectSent = new Promise<void>((resolve) => {
      const poll = (): void => (sent ? resolve() : void setTimeout(poll, 5))
      poll()
    })
    await connectSent
    await upstream.disconnect()
    await assert.rejects(connecting, isKind('closed'))
  } finally {
    silent.close()
  }
})

test('mqtt-upstream - a missing CA file is a tls error naming the file', async () => {
  const upstream = createMqttUpstream(
    mqttConfig(['mqtts://127.0.0.1:8883'], '3.1.1', { tls: { ca: '/nonexistent/ca.pem', verifyHostname: true } }),
    silentLog,
  )
  await assert.rejects(upstream.connect({ server: 0, will: deathOf('x'), ...testNode }), isKind('tls', /\/nonexistent\/ca\.pem.*ENOENT/))
})
