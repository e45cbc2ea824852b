/**
 * The request methods Node's HTTP parser (llhttp) takes, as `node:http`'s `METHODS` lists them on
 * Node 20.19+. A request with any other method never reaches a Node app: Node answers it 400, and
 * so does `app.fetch`, whose `Request` would take any token, so an app answers alike on every
 * engine. (RFC 9110 §9.1 suggests 501 for an unrecognized method; a client error is kept, as Node
 * has it, so that no request a client makes up is answered as the server's failure.)
 */
export const KNOWN_METHODS: ReadonlySet<string> = new Set([
  'ACL',
  'BIND',
  'CHECKOUT',
  'CONNECT',
  'COPY',
  'DELETE',
  'GET',
  'HEAD',
  'LINK',
  'LOCK',
  'M-SEARCH',
  'MERGE',
  'MKACTIVITY',
  'MKCALENDAR',
  'MKCOL',
  'MOVE',
  'NOTIFY',
  'OPTIONS',
  'PATCH',
  'POST',
  'PROPFIND',
  'PROPPATCH',
  'PURGE',
  'PUT',
  'QUERY',
  'REBIND',
  'REPORT',
  'SEARCH',
  'SOURCE',
  'SUBSCRIBE',
  'TRACE',
  'UNBIND',
  'UNLINK',
  'UNLOCK',
  'UNSUBSCRIBE',
])
