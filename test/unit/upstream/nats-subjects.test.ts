import assert from 'node:assert/strict'
import { test } from 'node:test'
import { dcmdSubjects, natsIdProblem, ncmdSubject, stateSubject, subjectOf, topicOf } from '../../../gateway/base/nats-subjects.js'

test('nats-subjects - the SPEC example maps both ways', () => {
  assert.equal(subjectOf('spBv1.0/Plant1/DDATA/Line3-GW/Boiler1'), 'spBv1//0.Plant1.DDATA.Line3-GW.Boiler1')
  assert.equal(topicOf('spBv1//0.Plant1.DDATA.Line3-GW.Boiler1'), 'spBv1.0/Plant1/DDATA/Line3-GW/Boiler1')
})

// nats-server TestMQTTTopicAndSubjectConversion (server/mqtt_test.go, nats-io/nats-server at
// 1787eee035cf0253c201fa0f05afad92b6f296dc): MQTT topic name -> NATS subject, and back.
const golden: readonly (readonly [string, string])[] = [
  ['/', '/./'], ['//', '/././'], ['///', '/./././'], ['////', '/././././'],
  ['foo', 'foo'], ['/foo', '/.foo'], ['//foo', '/./.foo'], ['///foo', '/././.foo'],
  ['///foo/', '/././.foo./'], ['///foo//', '/././.foo././'], ['///foo///', '/././.foo./././'],
  ['//.foo.//', '/././/foo//././'],
  ['foo/bar', 'foo.bar'], ['/foo/bar', '/.foo.bar'], ['/foo/bar/', '/.foo.bar./'],
  ['foo/bar/baz', 'foo.bar.baz'], ['/foo/bar/baz', '/.foo.bar.baz'], ['/foo/bar/baz/', '/.foo.bar.baz./'],
  ['bar/', 'bar./'], ['bar//', 'bar././'], ['bar///', 'bar./././'],
  ['foo//bar', 'foo./.bar'], ['foo///bar', 'foo././.bar'], ['foo////bar', 'foo./././.bar'],
  ['.', '//'], ['..', '////'], ['...', '//////'], ['./', '//./'], ['.//.', '//././/'],
  ['././.', '//.//.//'], ['././/.', '//.//././/'],
  ['.foo', '//foo'], ['foo.', 'foo//'], ['.foo.', '//foo//'],
  ['foo../bar/', 'foo////.bar./'], ['foo../bar/.', 'foo////.bar.//'], ['/foo/', '/.foo./'],
  ['./foo/.', '//.foo.//'], ['foo.bar/baz', 'foo//bar.baz'],
]

test("nats-subjects - nats-server's own conversion table, both ways", () => {
  for (const [topic, subject] of golden) {
    assert.equal(subjectOf(topic), subject, `subject of ${topic}`)
    assert.equal(topicOf(subject), topic, `topic of ${subject}`)
  }
})

test('nats-subjects - what nats-server refuses in a topic name is refused, as in its table', () => {
  assert.throws(() => subjectOf('foo/+'), /wildcard '\+'/)
  assert.throws(() => subjectOf('foo/#'), /wildcard '#'/)
  assert.throws(() => subjectOf('foo bar'), /a space in the topic name "foo bar"/)
  assert.throws(() => subjectOf('foo\x7fbar'), /a DEL/)
})

test('nats-subjects - ids with dots stay one token and come back whole', () => {
  assert.equal(subjectOf('spBv1.0/Plant.1/DDATA/GW.2/Boiler.3'), 'spBv1//0.Plant//1.DDATA.GW//2.Boiler//3')
  assert.equal(subjectOf('spBv1.0/G/DDATA/E/.'), 'spBv1//0.G.DDATA.E.//')
  assert.equal(subjectOf('spBv1.0/G/DDATA/E./.D'), 'spBv1//0.G.DDATA.E//.//D')
  assert.equal(topicOf('spBv1//0.G.DDATA.E//.//D'), 'spBv1.0/G/DDATA/E./.D')
})

test('nats-subjects - command and STATE subscriptions', () => {
  assert.equal(ncmdSubject('Plant1', 'Line3-GW'), 'spBv1//0.Plant1.NCMD.Line3-GW')
  assert.equal(dcmdSubjects('Plant1', 'Line3-GW'), 'spBv1//0.Plant1.DCMD.Line3-GW.*')
  assert.equal(dcmdSubjects('Plant.1', 'GW.1'), 'spBv1//0.Plant//1.DCMD.GW//1.*')
  assert.equal(stateSubject('SCADA.1'), 'spBv1//0.STATE.SCADA//1')
})

/** A small deterministic generator (mulberry32), so a failure names an id that can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

test('nats-subjects - 5000 generated Sparkplug topics round-trip, one NATS token per level', () => {
  // Every character an id may hold over NATS, dots and runs of dots included.
  const alphabet = [...'abcXYZ019-_.:@$%&()[]{}~=!?,;\'"`^|\\', 'é', 'µ', '温', '😀', '..']
  const next = random(8)
  const id = () => Array.from({ length: 1 + Math.floor(next() * 8) }, () => alphabet[Math.floor(next() * alphabet.length)]).join('')
  for (let n = 0; n < 5000; n++) {
    const ids = [id(), id(), id()]
    for (const i of ids) assert.equal(natsIdProblem(i), undefined, i)
    const topic = `spBv1.0/${ids[0]}/DDATA/${ids[1]}/${ids[2]}`
    const subject = subjectOf(topic)
    assert.equal(topicOf(subject), topic, topic)
    const tokens = subject.split('.')
    assert.deepEqual(tokens, ['spBv1//0', ...[ids[0], 'DDATA', ids[1], ids[2]].map((l) => l.replaceAll('.', '//'))], topic)
  }
})

test('nats-subjects - ids NATS cannot carry are named with the character and where it is', () => {
  assert.equal(natsIdProblem('Line 3'), 'contains a space at character 5')
  assert.equal(natsIdProblem('GW*'), "contains '*' at character 3")
  assert.equal(natsIdProblem('>'), "contains '>' at character 1")
  assert.equal(natsIdProblem('a\tb'), 'contains a tab at character 2')
  assert.equal(natsIdProblem('😀 x'), 'contains a space at character 2')
  assert.equal(natsIdProblem(''), 'is empty')
  assert.equal(natsIdProblem('Line3.GW'), undefined)
})
