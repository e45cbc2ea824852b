import { refusedOnceClosed } from './closed-store.js'
import type {
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  KeyRecord,
  RefreshTokenRecord,
  ThrottleRecord,
  TokenFamilyRecord,
  UserRecord,
} from './records.js'
import type { AuthorizationServerStore, PurgeResult, RotationResult } from './store.js'

/**
 * An in-memory store: plain JavaScript, nothing to install, gone when the process exits. For
 * tests and small single-process apps. Every operation runs to completion without awaiting, so
 * each is atomic within the process; records are copied in and out, so callers never share them.
 * Once closed, every call is a 503, as the SQL stores' are.
 * @example
 * const server = createAuthorizationServer({ issuer, scopes, store: createMemoryStore() })
 */
export function createMemoryStore(): AuthorizationServerStore {
  const users = new Map<string, UserRecord>()
  const usernames = new Map<string, string>()
  const clients = new Map<string, ClientRecord>()
  const families = new Map<string, TokenFamilyRecord>()
  const refreshTokens = new Map<string, RefreshTokenRecord>()
  const codes = new Map<string, AuthorizationCodeRecord>()
  const revoked = new Map<string, number>()
  const throttles = new Map<string, ThrottleRecord>()
  const keys: KeyRecord[] = []
  // Keyed by subject and client id; JSON keeps any characters in either apart.
  const consents = new Map<string, ConsentRecord>()
  const consentKey = (subject: string, clientId: string) => JSON.stringify([subject, clientId])

  const revoke = (familyId: string, now: number) => {
    const family = families.get(familyId)
    if (family && family.revokedAt === null) families.set(familyId, { ...family, revokedAt: now })
  }
  const liveFamily = (familyId: string, now: number) => {
    const family = families.get(familyId)
    return family && family.revokedAt === null && family.expiresAt > now ? family : undefined
  }

  return refusedOnceClosed({
    async createUser(user) {
      if (users.has(user.id) || usernames.has(user.username)) return false
      users.set(user.id, copy(user))
      usernames.set(user.username, user.id)
      return true
    },
    async findUserById(id) {
      return copyOf(users.get(id))
    },
    async findUserByUsername(username) {
      const id = usernames.get(username)
      return id === undefined ? undefined : copyOf(users.get(id))
    },
    async updateUser(id, changes) {
      const user = users.get(id)
      if (!user) return false
      users.set(id, copy({ ...user, ...definedOnly(changes) }))
      return true
    },
    async listUsers() {
      return [...users.values()].sort((a, b) => compare(a.username, b.username)).map(copy)
    },
    async passwordHashSamples() {
      // Every hash: the hasher keeps one of each kind, and a memory store is small.
      return [...users.values()].flatMap((user) => user.passwordHash ?? [])
    },

    async createClient(client) {
      if (clients.has(client.id)) return false
      clients.set(client.id, copy(client))
      return true
    },
    async findClient(id) {
      return copyOf(clients.get(id))
    },
    async listClients() {
      return [...clients.values()].sort((a, b) => compare(a.id, b.id)).map(copy)
    },

    async createFamily(family, refreshToken) {
      families.set(family.id, copy(family))
      if (refreshToken) refreshTokens.set(refreshToken.hash, copy(refreshToken))
    },
    async findRefreshToken(hash) {
      const token = refreshTokens.get(hash)
      const family = token && families.get(token.familyId)
      return token && family ? { token: copy(token), family: copy(family) } : undefined
    },
    async rotateRefreshToken({ hash, next, now, graceSeconds }): Promise<RotationResult> {
      const token = refreshTokens.get(hash)
      const family = token && liveFamily(token.familyId, now)
      if (!token || !family) return { outcome: 'invalid' }
      if (token.usedAt === null) {
        if (token.expiresAt <= now) return { outcome: 'invalid' }
        // A used token is kept as long as its family lives, so a late replay is still seen.
        refreshTokens.set(hash, {
          ...token,
          usedAt: now,
          replacedBy: next.hash,
          expiresAt: family.expiresAt,
        })
        refreshTokens.set(next.hash, {
          hash: next.hash,
          familyId: token.familyId,
          issuedAt: now,
          expiresAt: next.expiresAt,
          usedAt: null,
          replacedBy: null,
        })
        return { outcome: 'rotated', family: copy(family) }
      }
      const successor = token.replacedBy === null ? undefined : refreshTokens.get(token.replacedBy)
      if (
        graceSeconds > 0 &&
        successor &&
        successor.usedAt === null &&
        now - token.usedAt <= graceSeconds
      )
        return { outcome: 'retried', family: copy(family), successor: successor.hash }
      revoke(token.familyId, now)
      return { outcome: 'reused', familyId: token.familyId }
    },
    async revokeFamily(familyId, now) {
      revoke(familyId, now)
    },

    async createCode(code) {
      codes.set(code.hash, copy(code))
    },
    async findCode(hash) {
      return copyOf(codes.get(hash))
    },
    async redeemCode({ hash, now, family, refreshToken }) {
      const code = codes.get(hash)
      if (!code) return { outcome: 'invalid' }
      if (code.usedAt !== null) {
        if (code.familyId !== null) revoke(code.familyId, now)
        return { outcome: 'reused', familyId: code.familyId }
      }
      if (code.expiresAt <= now) return { outcome: 'invalid' }
      // Kept as long as its family lives, so a late replay still revokes what it produced.
      codes.set(hash, { ...code, usedAt: now, familyId: family.id, expiresAt: family.expiresAt })
      families.set(family.id, copy(family))
      if (refreshToken) refreshTokens.set(refreshToken.hash, copy(refreshToken))
      return { outcome: 'redeemed' }
    },

    async revokeAccessToken(jti, expiresAt) {
      revoked.set(jti, Math.max(expiresAt, revoked.get(jti) ?? 0))
    },
    async isAccessTokenRevoked(jti, familyId) {
      if (revoked.has(jti)) return true
      if (familyId === undefined) return false
      return (families.get(familyId)?.revokedAt ?? null) !== null
    },

    async readThrottle(key, now) {
      const record = throttles.get(key)
      return record && record.expiresAt > now ? { ...record } : undefined
    },
    async recordFailure(key, now, windowSeconds) {
      const record = throttles.get(key)
      const failures = record && record.expiresAt > now ? record.failures + 1 : 1
      const next = { key, failures, lastFailureAt: now, expiresAt: now + windowSeconds }
      throttles.set(key, next)
      return { ...next }
    },
    async clearThrottle(key) {
      throttles.delete(key)
    },

    async listKeys() {
      // Oldest first. Times are whole seconds, so a key rotated out in the second it was made
      // shares its createdAt with its successor: a retired key is older than an unretired one.
      const retiredLast = (key: KeyRecord) => key.retiredAt ?? Number.MAX_SAFE_INTEGER
      return [...keys]
        .sort(
          (a, b) =>
            a.createdAt - b.createdAt || retiredLast(a) - retiredLast(b) || compare(a.kid, b.kid),
        )
        .map(copy)
    },
    async addKeyIfNoneActive(key) {
      if (keys.some((k) => k.purpose === key.purpose && k.retiredAt === null)) return false
      keys.push(copy(key))
      return true
    },
    async rotateKey({ purpose, retire, next }) {
      const index = keys.findIndex(
        (k) => k.kid === retire.kid && k.purpose === purpose && k.retiredAt === null,
      )
      const current = keys[index]
      if (!current) return false
      keys[index] = { ...current, retiredAt: retire.retiredAt, expiresAt: retire.expiresAt }
      keys.push(copy(next))
      return true
    },

    async findConsent(subject, clientId, now) {
      const consent = consents.get(consentKey(subject, clientId))
      return consent && consent.expiresAt > now ? copy(consent) : undefined
    },
    async saveConsent(consent) {
      consents.set(consentKey(consent.subject, consent.clientId), copy(consent))
    },
    async deleteConsent(subject, clientId) {
      consents.delete(consentKey(subject, clientId))
    },

    async purgeExpired(now): Promise<PurgeResult> {
      const drop = <K, V>(map: Map<K, V>, expired: (value: V) => boolean) => {
        let count = 0
        for (const [key, value] of map)
          if (expired(value)) {
            map.delete(key)
            count++
          }
        return count
      }
      const result = {
        families: drop(families, (f) => f.expiresAt <= now),
        refreshTokens: drop(refreshTokens, (t) => t.expiresAt <= now),
        codes: drop(codes, (c) => c.expiresAt <= now),
        revokedTokens: drop(revoked, (expiresAt) => expiresAt <= now),
        throttles: drop(throttles, (t) => t.expiresAt <= now),
        keys: 0,
        consents: drop(consents, (c) => c.expiresAt <= now),
      }
      for (let i = keys.length - 1; i >= 0; i--) {
        const expiresAt = keys[i]?.expiresAt
        if (expiresAt !== null && expiresAt !== undefined && expiresAt <= now) {
          keys.splice(i, 1)
          result.keys++
        }
      }
      return result
    },
    async close() {},
  })
}

function copy<T extends object>(record: T): T {
  return structuredClone(record)
}

function copyOf<T extends object>(record: T | undefined): T | undefined {
  return record === undefined ? undefined : copy(record)
}

function definedOnly<T extends object>(changes: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(changes).filter(([, value]) => value !== undefined),
  ) as Partial<T>
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
