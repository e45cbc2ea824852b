import type { PasswordHasher } from '../../password/index.js'
import type { UserRecord } from '../store/records.js'
import type { UserStore } from '../store/store.js'
import { normalizePassword } from './password-text.js'
import type { LoginThrottle, ThrottleKeys } from './throttle.js'
import { normalizeUsername } from './username.js'

/** A username and password to check, and where the attempt came from. */
export interface PasswordLogin {
  readonly username: string
  readonly password: string
  /** The client's address, for per-address throttling; omit when unknown. */
  readonly clientAddress?: string | undefined
}

/**
 * The outcome of a password login. A disabled user's login fails as `invalid_credentials`
 * whether its password is right or not, so the answer never confirms the password.
 */
export type LoginResult =
  | { readonly ok: true; readonly user: UserRecord }
  | { readonly ok: false; readonly reason: 'invalid_credentials' }

/** Longer usernames exist nowhere; they are checked like unknown ones, without a lookup. */
const MAX_USERNAME = 256

/**
 * Checks a username and password: throttled first (a `LoginThrottledError` while delayed), then
 * verified by the password hasher, which spends the same time on a dummy hash when the user does
 * not exist. A success clears the failures of its username from its address and upgrades an
 * outdated hash. A disabled user is verified the same way but always fails and is counted as a
 * failure: a right password that cleared the counter, rehashed or answered differently would
 * confirm the password. Attempts for one username from one address run one at a time in a
 * process: checked all at once, a burst would pass the throttle before its first failure counted.
 */
export async function loginWithPassword(
  login: PasswordLogin,
  context: {
    readonly store: UserStore
    readonly passwords: PasswordHasher
    readonly throttle: LoginThrottle | undefined
    readonly now: () => number
  },
): Promise<LoginResult> {
  const { throttle } = context
  // One user, and one throttle counter, whatever normalisation the name was typed in.
  login = { ...login, username: normalizeUsername(login.username) }
  if (throttle === undefined) return checkPassword(login, context, undefined)
  const keys = throttle.keys(login.username, login.clientAddress)
  return throttle.oneAtATime(keys, () =>
    throttle.admitted(keys, context.now, () => checkPassword(login, context, { throttle, keys })),
  )
}

async function checkPassword(
  login: PasswordLogin,
  context: {
    readonly store: UserStore
    readonly passwords: PasswordHasher
    readonly now: () => number
  },
  counters: { readonly throttle: LoginThrottle; readonly keys: ThrottleKeys } | undefined,
): Promise<LoginResult> {
  const { store, passwords, now } = context
  const nfc = normalizePassword(login.password)
  const counted = counters ? await counters.throttle.check(counters.keys, now()) : false
  const fail = async (): Promise<LoginResult> => {
    await counters?.throttle.failed(counters.keys, now())
    return { ok: false, reason: 'invalid_credentials' }
  }
  const user =
    login.username.length <= MAX_USERNAME
      ? await store.findUserByUsername(login.username)
      : undefined
  if (user?.disabled) {
    // Checked as an unknown user is, against the decoy (as slow as this user's hash kind and every
    // other): checking the real hash would answer the right password faster than a wrong one,
    // which is padded, and so confirm an offboarded account's password.
    if (user.passwordHash !== null) passwords.noteStoredHashes([user.passwordHash])
    await passwords.verify(nfc, undefined)
    // As many checks as an enabled user's wrong password of the same text costs.
    if (nfc !== login.password) await passwords.verify(login.password, undefined)
    return fail()
  }
  let { valid, newHash } = await passwords.verifyAndUpdate(nfc, user?.passwordHash)
  // A hash made before passwords were normalised (or by other code) from the text as typed: it
  // still verifies, and is replaced by the NFC one. Only text that NFC changes pays for it, the
  // same whether the user exists or not.
  if (!valid && nfc !== login.password) {
    valid = (await passwords.verifyAndUpdate(login.password, user?.passwordHash)).valid
    if (valid) newHash = await passwords.hash(nfc)
  }
  if (!user || !valid) return fail()
  // Most logins have no failures to forget: no write for them (a commit is a disk sync).
  if (counters && counted) await counters.throttle.succeeded(counters.keys)
  if (newHash) await store.updateUser(user.id, { passwordHash: newHash })
  return { ok: true, user: newHash ? { ...user, passwordHash: newHash } : user }
}
