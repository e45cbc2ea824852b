/**
 * What is wrong with `text` as an origin written the way browsers send it (the `Origin` header, a
 * CSP source): `undefined` when nothing is, else the end of a sentence about it. Shared by every
 * option that takes origins, so `https://a.example:443` or `HTTPS://A.EXAMPLE` gets the same advice
 * (write `https://a.example`) wherever it is given.
 */
export function originProblem(text: string): string | undefined {
  let serialized: string
  try {
    serialized = new URL(text).origin
  } catch {
    return 'is not an origin such as "https://app.example.com"'
  }
  if (serialized === 'null') return 'is not an origin such as "https://app.example.com"'
  if (serialized !== text)
    return `is not what browsers send: write ${JSON.stringify(serialized)} (scheme, host, port if not the default; no path or trailing slash)`
  return undefined
}
