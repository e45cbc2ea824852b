/**
 * Seconds from `since` to `now`, for cache ages and cool-downs measured on the verifier's clock
 * (wall time, so tests can move it). A clock that stepped back (NTP, a resumed VM) gives a negative
 * difference, which would keep a cache fresh or a cool-down running for as long as the step; it
 * counts as long ago instead, so the next use fetches again.
 */
export function elapsed(since: number, now: number): number {
  return now >= since ? now - since : Number.POSITIVE_INFINITY
}
