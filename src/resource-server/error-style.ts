/** How a protected resource answers failed authentication or authorization. */
export type ErrorStyle = 'fastapi' | 'rfc6750'
