// The few parts of autocannon's programmatic API the bench uses (the package ships no types).
declare module 'autocannon' {
  export interface Request {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string
  }

  export interface RequestOptions extends Request {
    /** Called before every request sent with these options; returns the request to send. */
    setupRequest?: (request: Request) => Request
  }

  export interface Options {
    url: string
    method?: string
    headers?: Record<string, string>
    body?: string
    /** Sent in turn instead of the single request the options above describe. */
    requests?: RequestOptions[]
    connections?: number
    /** Seconds. */
    duration?: number
    /** Requests to make; overrides `duration`. */
    amount?: number
    pipelining?: number
    /** Seconds. */
    timeout?: number
  }

  export interface Histogram {
    average: number
    mean: number
    stddev: number
    min: number
    max: number
    p50: number
    p90: number
    p99: number
  }

  export interface Result {
    /** Seconds. */
    duration: number
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
    /** Milliseconds. */
    latency: Histogram
    requests: Histogram & { total: number; sent: number }
  }

  function autocannon(options: Options): Promise<Result>
  export default autocannon
}
