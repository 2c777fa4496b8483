/**
 * Reading the secret `upstream.nats.auth` names, and checking it is what its key says: a seed
 * that decodes, a .creds file with a user JWT and a seed. A wrong file found here is one line at
 * `validate`, not a refused connection retried forever at run time.
 */
import { fromSeed } from 'nkeys.js'
import type { NatsSecretFile } from './nats.js'
import { readConfigText, reason, type FileKind } from './read-file.js'
import type { NatsConfig } from './types.js'

type NatsAuth = NonNullable<NatsConfig['auth']>

const kinds: Readonly<Record<NatsSecretFile['kind'], FileKind>> = { token: 'token', user: 'password', nkey: 'nkeySeed', credentials: 'credentials' }

// The blocks of a .creds file as nsc writes them (dashes vary between writers: 3 or more).
const jwtBlock = /-{3,}BEGIN NATS USER JWT-{3,}\r?\n\s*([^\s-][^\s]*)\s*\r?\n-{3,}END NATS USER JWT-{3,}/
const seedBlock = /-{3,}BEGIN USER NKEY SEED-{3,}\r?\n\s*([^\s-][^\s]*)\s*\r?\n-{3,}END USER NKEY SEED-{3,}/

/** The auth of `upstream.nats`, or why the file cannot give it (a sentence naming the file). */
export async function readNatsSecret(secret: NatsSecretFile): Promise<{ readonly auth: NatsAuth } | { readonly error: string }> {
  let text: string
  try {
    text = await readConfigText(secret.file, kinds[secret.kind])
  } catch (cause) {
    return { error: `cannot read ${secret.file}: ${reason(cause)}` }
  }
  // Editors and `echo` add a final newline that is not part of the secret.
  const line = text.replace(/\r?\n$/, '')
  if (secret.kind !== 'credentials' && line === '') return { error: `${secret.file} is empty` }
  switch (secret.kind) {
    case 'token':
      return { auth: { kind: 'token', token: line } }
    case 'user':
      return { auth: { kind: 'user', username: secret.username, password: line } }
    case 'nkey': {
      const problem = seedProblem(line.trim())
      if (problem !== undefined) return { error: `${secret.file} does not hold an NKey user seed: ${problem}` }
      return { auth: { kind: 'nkey', seed: line.trim(), seedFile: secret.file } }
    }
    case 'credentials': {
      const jwt = jwtBlock.exec(text)?.[1]
      if (jwt === undefined || jwt.split('.').length !== 3) {
        return { error: `${secret.file} is not a NATS credentials file: expected a user JWT between -----BEGIN NATS USER JWT----- and ------END NATS USER JWT------` }
      }
      const seed = seedBlock.exec(text)?.[1]
      if (seed === undefined) {
        return { error: `${secret.file} is not a NATS credentials file: expected a seed between -----BEGIN USER NKEY SEED----- and ------END USER NKEY SEED------` }
      }
      const problem = seedProblem(seed)
      if (problem !== undefined) return { error: `the seed in credentials file ${secret.file} is not an NKey user seed: ${problem}` }
      return { auth: { kind: 'credentials', credentials: text, credentialsFile: secret.file } }
    }
  }
}

/** Why `seed` is not a user seed (`SU…`, as `nsc` or `nk -gen user` write it), or undefined. */
function seedProblem(seed: string): string | undefined {
  // Another kind of seed (SA account, SO operator) is named by its prefix, which is no secret;
  // of anything else nothing is repeated.
  if (/^S[A-Z]/.test(seed) && !seed.startsWith('SU')) return `found a seed of another kind ('${seed.slice(0, 2)}…'); expected a user seed, starting with SU`
  if (!seed.startsWith('SU')) return 'expected one line starting with SU'
  try {
    fromSeed(new TextEncoder().encode(seed))
    return undefined
  } catch (cause) {
    return `it does not decode (${cause instanceof Error ? cause.message : String(cause)})`
  }
}
