const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const MONTH = MONTHS.join('|')
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})'
// RFC 9110 §5.6.7, case-sensitive: IMF-fixdate `Sun, 06 Nov 1994 08:49:37 GMT`, and the obsolete
// rfc850 `Sunday, 06-Nov-94 08:49:37 GMT` and asctime `Sun Nov  6 08:49:37 1994`.
const IMF_FIXDATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`,
)
const RFC850_DATE = new RegExp(
  `^(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day, (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`,
)
const ASCTIME_DATE = new RegExp(
  `^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (${MONTH}) (\\d{2}| \\d) ${TIME} (\\d{4})$`,
)

/**
 * The time an HTTP-date stands for (RFC 9110 §5.6.7), in milliseconds, or `undefined` for anything
 * else: `Date.parse` takes `3000`, `3000-01-01` or `next year 2999`, which a recipient must ignore
 * (§13.1.3). An rfc850 two-digit year more than 50 years ahead of `now` is in the past century.
 */
export function parseHTTPDate(value: string, now = Date.now()): number | undefined {
  let match = IMF_FIXDATE.exec(value)
  if (match !== null) return timeOf(match[3], match[2], match[1], match.slice(4))
  match = ASCTIME_DATE.exec(value)
  if (match !== null) return timeOf(match[6], match[1], match[2], match.slice(3, 6))
  match = RFC850_DATE.exec(value)
  if (match === null) return undefined
  const thisYear = new Date(now).getUTCFullYear()
  let year = thisYear - (thisYear % 100) + Number(match[3])
  if (year > thisYear + 50) year -= 100
  return timeOf(String(year), match[2], match[1], match.slice(4))
}

/** The time of a date whose parts are in range (no 31 April, no 25:00), else `undefined`. */
function timeOf(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  [hour, minute, second]: (string | undefined)[],
): number | undefined {
  const monthIndex = MONTHS.indexOf(month ?? '')
  const date = new Date(0)
  // `setUTCFullYear`, not `Date.UTC`, which would take the year 0094 for 1994.
  date.setUTCFullYear(Number(year), monthIndex, Number(day))
  if (date.getUTCMonth() !== monthIndex || date.getUTCDate() !== Number(day)) return undefined
  const [h, m, s] = [Number(hour), Number(minute), Number(second)]
  // Second 60 is a leap second (RFC 9110 §5.6.7), taken as the next second 0.
  if (h > 23 || m > 59 || s > 60) return undefined
  return date.getTime() + ((h * 60 + m) * 60 + s) * 1000
}
