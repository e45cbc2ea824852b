/**
 * The spellings of one resource identifier. For `http` and `https`, an empty path is the same as
 * `/` (RFC 9110 §4.2.3, RFC 3986 §6.2.3), and clients disagree on which they send: RFC 9728
 * metadata may say `https://api.example.com`, while a client that passes it through a URL parser
 * (the MCP SDKs do) sends `https://api.example.com/` as its RFC 8707 `resource`, and an issuer
 * may bind `aud` to either. Any other URI has only the spelling it was given.
 */
export function resourceForms(uri: string): readonly string[] {
  const origin = /^(https?:\/\/[^/?#]+)\/?$/i.exec(uri)?.[1]
  if (origin === undefined) return [uri]
  return uri === origin ? [uri, `${origin}/`] : [uri, origin]
}

/** `uris` and their other spellings ({@link resourceForms}), each once, the given ones first. */
export function withResourceForms(uris: readonly string[]): readonly string[] {
  return [...new Set([...uris, ...uris.flatMap(resourceForms)])]
}
