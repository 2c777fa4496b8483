/**
 * NATS credentials for tests, made here with nkeys.js: NKey users, and for operator mode
 * (decentralised JWT auth) an operator, its accounts and users, signed by hand in the NATS JWT v2
 * format (nats-io/jwt v2: header {"typ":"JWT","alg":"ed25519-nkey"}, base64url without padding,
 * `jti` the base32 SHA-512/256 of the claims without it, signature over "header.claims").
 */
import { createHash } from 'node:crypto'
import { createAccount, createOperator, createUser, fromSeed, type KeyPair } from 'nkeys.js'

/** An NKey user: its seed (secret, `SU…`) and public key (`U…`, what the server config names). */
export interface NkeyUser {
  readonly seed: string
  readonly publicKey: string
}

/** A user of operator mode: its JWT, its seed, and both as the text of a `.creds` file. */
export interface JwtUser {
  readonly jwt: string
  readonly seed: string
  readonly creds: string
}

/** What a server needs to trust an operator: its JWT, the system account and every account JWT. */
export interface OperatorTrust {
  readonly operatorJwt: string
  readonly systemAccount: string
  /** Account public key -> account JWT, preloaded into the server's memory resolver. */
  readonly accounts: Readonly<Record<string, string>>
}

/** An operator with one system account and one account for clients (JetStream enabled in it). */
export interface OperatorMode {
  readonly trust: OperatorTrust
  /** A new user of the clients' account. */
  user(name: string): JwtUser
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes)

export function nkeyUser(): NkeyUser {
  const pair = createUser()
  return { seed: text(pair.getSeed()), publicKey: pair.getPublicKey() }
}

/** The public key of an NKey seed. */
export function publicKeyOf(seed: string): string {
  return fromSeed(new TextEncoder().encode(seed)).getPublicKey()
}

export function operatorMode(): OperatorMode {
  const operator = createOperator()
  const system = createAccount()
  const account = createAccount()
  const operatorJwt = sign(operator, operator.getPublicKey(), 'test-operator', { type: 'operator', version: 2, system_account: system.getPublicKey() })
  const unlimited = { subs: -1, data: -1, payload: -1, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 }
  const jetstream = { mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 }
  const systemJwt = sign(operator, system.getPublicKey(), 'SYS', { type: 'account', version: 2, limits: unlimited })
  const accountJwt = sign(operator, account.getPublicKey(), 'plant', { type: 'account', version: 2, limits: { ...unlimited, ...jetstream } })
  return {
    trust: {
      operatorJwt,
      systemAccount: system.getPublicKey(),
      accounts: { [system.getPublicKey()]: systemJwt, [account.getPublicKey()]: accountJwt },
    },
    user(name) {
      const user = createUser()
      const jwt = sign(account, user.getPublicKey(), name, { type: 'user', version: 2, pub: {}, sub: {}, subs: -1, data: -1, payload: -1 })
      const seed = text(user.getSeed())
      return { jwt, seed, creds: credsFile(jwt, seed) }
    },
  }
}

/** The `.creds` file format of `nsc` and the NATS clients: the user JWT, then its seed. */
export function credsFile(jwt: string, seed: string): string {
  return [
    '-----BEGIN NATS USER JWT-----', jwt, '------END NATS USER JWT------', '',
    '************************* IMPORTANT *************************',
    'NKEY Seed printed below can be used to sign and prove identity.',
    'NKEYs are sensitive and should be treated as secrets.', '',
    '-----BEGIN USER NKEY SEED-----', seed, '------END USER NKEY SEED------', '',
    '*************************************************************', '',
  ].join('\n')
}

const base64url = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url')

function sign(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  // Field order as nats-io/jwt's ClaimsData marshals it, so `jti` is the hash that library would compute.
  const claims: Record<string, unknown> = { iat: Math.floor(Date.now() / 1000), iss: issuer.getPublicKey(), name, sub: subject }
  const jti = base32(createHash('sha512-256').update(JSON.stringify(claims)).digest())
  const header = base64url(JSON.stringify({ typ: 'JWT', alg: 'ed25519-nkey' }))
  const body = base64url(JSON.stringify({ jti, ...claims, nats }))
  const signature = issuer.sign(new TextEncoder().encode(`${header}.${body}`))
  return `${header}.${body}.${base64url(signature)}`
}

/** RFC 4648 base32 without padding, as Go's base32.StdEncoding.WithPadding(NoPadding). */
function base32(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let out = ''
  let bits = 0
  let value = 0
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff
    bits += 8
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  return bits > 0 ? out + alphabet[(value << (5 - bits)) & 31] : out
}
