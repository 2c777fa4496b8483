/**
 * Sparkplug topics as NATS subjects, by nats-server's own MQTT translation
 * (server/mqtt.go, mqttToNATSSubjectConversion and natsSubjectToMQTTTopic, nats-server 2.10+):
 * `/` becomes `.`, `.` becomes `//`, and an empty topic level is kept as a `/` token, so an MQTT
 * Sparkplug host on a nats-server MQTT listener sees the messages this gateway publishes.
 */
import { NAMESPACE } from './topics.js'

/** Characters a Sparkplug id may not hold over NATS, by name: a subject token ends at blanks, and `*` and `>` are wildcards. */
const uncarriable: ReadonlyMap<string, string> = new Map([
  [' ', 'a space'],
  ['\t', 'a tab'],
  ['\n', 'a line feed'],
  ['\r', 'a carriage return'],
  ['\f', 'a form feed'],
  ['\x7f', 'a DEL'],
  ['*', "'*'"],
  ['>', "'>'"],
])

/** What keeps `id` out of a NATS subject, in words ("contains a space at character 4"), or undefined. */
export function natsIdProblem(id: string): string | undefined {
  if (id === '') return 'is empty'
  const chars = [...id]
  const at = chars.findIndex((c) => uncarriable.has(c))
  return at < 0 ? undefined : `contains ${uncarriable.get(chars[at]!)} at character ${at + 1}`
}

/**
 * The subject nats-server publishes an MQTT topic name on. Throws for what the server refuses in
 * a topic name (wildcards, blanks, DEL); ids are checked at config load, so this never throws for
 * a topic the gateway builds.
 */
export function subjectOf(topic: string): string {
  let subject = ''
  for (let i = 0; i < topic.length; i++) {
    const c = topic[i]!
    if (c === '/') {
      // An empty level (leading, doubled or trailing `/`) cannot be an empty NATS token: it is a `/` token.
      if (i === 0 || subject.endsWith('.')) subject += '/.'
      else if (i === topic.length - 1 || topic[i + 1] === '/') subject += './'
      else subject += '.'
    } else if (c === '.') subject += '//'
    else if (c === '+' || c === '#') throw new Error(`wildcard '${c}' in the topic name ${JSON.stringify(topic)}`)
    else if (uncarriable.has(c)) throw new Error(`${uncarriable.get(c)} in the topic name ${JSON.stringify(topic)}`)
    else subject += c
  }
  return subject.endsWith('.') ? `${subject}/` : subject
}

/** The MQTT topic name of a subject `subjectOf` made (`//` is `.`, `/.` is an empty level). */
export function topicOf(subject: string): string {
  let topic = ''
  for (let i = 0; i < subject.length; i++) {
    const c = subject[i]!
    if (c === '.') topic += '/'
    else if (c !== '/') topic += c
    else if (subject[i + 1] === '/') {
      topic += '.'
      i++
    } else if (subject[i + 1] === '.') {
      topic += '/'
      i++
    }
    // A lone `/` (the last character) marks an empty last level, already written by the `.` before it.
  }
  return topic
}

/** Where NCMD for this edge node arrives: `spBv1//0.G.NCMD.E`. */
export function ncmdSubject(groupId: string, edgeNodeId: string): string {
  return subjectOf(`${NAMESPACE}/${groupId}/NCMD/${edgeNodeId}`)
}

/** DCMD for any device of this edge node: `spBv1//0.G.DCMD.E.*`. */
export function dcmdSubjects(groupId: string, edgeNodeId: string): string {
  return `${subjectOf(`${NAMESPACE}/${groupId}/DCMD/${edgeNodeId}`)}.*`
}

/** A host application's STATE (Sparkplug 3.0): `spBv1//0.STATE.host`. */
export function stateSubject(hostId: string): string {
  return subjectOf(`${NAMESPACE}/STATE/${hostId}`)
}
