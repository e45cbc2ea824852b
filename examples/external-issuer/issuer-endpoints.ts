/** The endpoints the docs' Authorize dialog needs, read from the issuer's published metadata. */
export interface IssuerEndpoints {
  tokenUrl: string
  authorizationUrl: string | undefined
}

/**
 * Reads `token_endpoint` and `authorization_endpoint` from the issuer's RFC 8414 metadata, or its
 * OpenID configuration. (The verifier finds the issuer's keys by itself; this is for the docs.)
 */
export async function readIssuerEndpoints(issuer: string): Promise<IssuerEndpoints> {
  const url = new URL(issuer)
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '')
  const candidates = [
    `${url.origin}/.well-known/oauth-authorization-server${path}`,
    `${url.origin}${path}/.well-known/openid-configuration`,
  ]
  for (const candidate of candidates) {
    const response = await fetch(candidate, { signal: AbortSignal.timeout(5000) }).catch(() => null)
    if (response?.status !== 200) continue
    const metadata = (await response.json()) as Record<string, unknown>
    if (metadata.issuer !== issuer || typeof metadata.token_endpoint !== 'string') continue
    const authorization = metadata.authorization_endpoint
    return {
      tokenUrl: metadata.token_endpoint,
      authorizationUrl: typeof authorization === 'string' ? authorization : undefined,
    }
  }
  throw new Error(`ISSUER_URL: no RFC 8414 or OpenID metadata for ${issuer} names a token_endpoint`)
}
