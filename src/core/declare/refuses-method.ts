const REFUSES_METHOD = Symbol('gatehouse.refusesMethod')

/**
 * Marks route options of a route that exists only to refuse its method (a 405 of its own, as the
 * authorization server answers GET on `/token`): the app's own 405 for any other method on that
 * path then leaves this method out of `Allow` (RFC 9110 §10.2.1 lists supported methods only).
 * A symbol key, so it is no option a user can misspell, and it survives `include()`.
 */
export function refusingMethod<O extends object>(options: O): O {
  return { ...options, [REFUSES_METHOD]: true }
}

/** Whether {@link refusingMethod} marked these route options. */
export function refusesMethod(options: object): boolean {
  return REFUSES_METHOD in options
}
