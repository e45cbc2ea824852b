import { KeySourceUnavailableError } from '../core/errors/index.js'
import type { JWTVerifierAlgorithm } from './algorithms.js'
import { elapsed } from './elapsed.js'
import { FetchFailure, fetchJSON, issuerURL } from './fetch-json.js'
import type { KeySource } from './key-set.js'
import { RemoteKeySet, type RemoteKeySetSettings } from './remote-key-set.js'
import type { VerificationKey } from './verification-key.js'

/** Where an issuer's metadata lives: RFC 8414 first, then OpenID Connect Discovery 1.0. */
export function metadataURLs(issuer: URL): URL[] {
  const path = issuer.pathname === '/' ? '' : issuer.pathname.replace(/\/$/, '')
  return [
    // RFC 8414 §3.1: the well-known segment goes between the host and the issuer's path.
    new URL(`/.well-known/oauth-authorization-server${path}`, issuer.origin),
    new URL(`${path}/.well-known/openid-configuration`, issuer.origin),
  ]
}

/**
 * Metadata was fetched but cannot be used with this verifier's settings: it names another issuer
 * (a trailing slash in one of them, say) or a `jwks_uri` that is not allowed. Retrying will not
 * help, so it is a set-up mistake (a logged 500), not an outage (503).
 */
export class IssuerMetadataMismatchError extends Error {
  override readonly name = 'IssuerMetadataMismatchError'
}

/**
 * Fetches an issuer's metadata and returns its `jwks_uri`. The document must name exactly this
 * issuer (RFC 8414 §3.3, OpenID Discovery §4.3), so a metadata URL cannot vouch for another issuer.
 * Throws {@link IssuerMetadataMismatchError} when a document came but none could be used.
 */
export async function discoverJWKSURI(
  issuer: string,
  settings: RemoteKeySetSettings & { allowHTTP: boolean },
): Promise<URL> {
  const failures: string[] = []
  let mismatch = false
  for (const url of metadataURLs(new URL(issuer))) {
    let metadata: Record<string, unknown>
    try {
      metadata = await fetchJSON(url, { headers: { accept: 'application/json' } }, settings)
    } catch (error) {
      failures.push(`${url.pathname} ${(error as Error).message}`)
      continue
    }
    mismatch = true
    if (metadata.issuer !== issuer) {
      failures.push(`${url.href} names the issuer ${JSON.stringify(metadata.issuer)}`)
      continue
    }
    try {
      return issuerURL(metadata.jwks_uri, 'jwks_uri', settings.allowHTTP)
    } catch (error) {
      failures.push(`${url.href} has an unusable jwks_uri: ${(error as Error).message}`)
    }
  }
  if (mismatch)
    throw new IssuerMetadataMismatchError(
      `The metadata of the issuer ${JSON.stringify(issuer)} cannot be used (${failures.join('; ')})`,
    )
  throw new FetchFailure(`no usable metadata for the issuer (${failures.join('; ')})`)
}

/**
 * A key source found through the issuer's metadata: discovered on first use (concurrent first
 * uses share one discovery), retried no more than once per `cooldown` after a failure (503 with
 * `Retry-After` meanwhile), then a {@link RemoteKeySet} over the `jwks_uri` it names.
 */
export class DiscoveredKeySource implements KeySource {
  readonly #issuer: string
  readonly #settings: RemoteKeySetSettings & { allowHTTP: boolean }
  #keys: RemoteKeySet | undefined
  #pending: Promise<RemoteKeySet | undefined> | undefined
  #attemptedAt = Number.NEGATIVE_INFINITY
  /** Why the last discovery failed, when it was the metadata's content rather than the network. */
  #mismatch: IssuerMetadataMismatchError | undefined
  /** What the last failed discovery was, shared by every refusal until the next attempt. */
  #failure: Error | undefined

  constructor(issuer: string, settings: RemoteKeySetSettings & { allowHTTP: boolean }) {
    this.#issuer = issuer
    this.#settings = settings
  }

  key(
    kid: string | undefined,
    alg: JWTVerifierAlgorithm,
  ): VerificationKey | Promise<VerificationKey> {
    if (this.#keys !== undefined) return this.#keys.key(kid, alg)
    return this.#discover().then((keys) => keys.key(kid, alg))
  }

  async #discover(): Promise<RemoteKeySet> {
    const { cooldown, now } = this.#settings
    if (this.#pending === undefined && elapsed(this.#attemptedAt, now()) >= cooldown) {
      this.#attemptedAt = now()
      this.#pending = discoverJWKSURI(this.#issuer, this.#settings)
        .then((url) => {
          this.#keys = new RemoteKeySet(url, this.#settings)
          this.#failure = undefined
          return this.#keys
        })
        .catch((error: unknown) => {
          this.#mismatch = error instanceof IssuerMetadataMismatchError ? error : undefined
          this.#failure = new Error(
            `Discovery of the issuer ${this.#issuer}: ${error instanceof Error ? error.message : 'failed'}`,
          )
          return undefined
        })
        .finally(() => {
          this.#pending = undefined
        })
    }
    const keys = this.#keys ?? (await this.#pending)
    if (keys !== undefined) return keys
    if (this.#mismatch !== undefined) throw this.#mismatch
    const left = cooldown - elapsed(this.#attemptedAt, now())
    throw new KeySourceUnavailableError(
      "The issuer's metadata cannot be fetched right now",
      Math.max(1, Math.ceil(left)),
      { cause: this.#failure },
    )
  }
}
