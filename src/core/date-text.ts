// RFC 3339 / ISO 8601 as Pydantic reads a datetime: a date, then optionally `T` (or a space) and a
// time to the minute, second or fraction, then optionally `Z` or an offset. `Date.parse` alone would
// also take `Tue, 1 Dec 2026`, `2026-12-01 10:00 PST`, `12/1/2026`, and read a time without an offset
// as the server's local time, so one value would name different instants on different hosts.
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/

/**
 * The instant ISO 8601 text names, or `undefined` for text that is not one. A date alone is its
 * midnight, and a time without an offset is read as UTC: a `Date` is an instant, and the host's
 * own zone must not decide which (Pydantic would keep such a value naive).
 */
export function parseISODateTime(text: string): Date | undefined {
  const match = ISO.exec(text)
  if (!match) return undefined
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match
  const year = Number(y)
  const month = Number(mo)
  const day = Number(d)
  const hour = Number(h)
  const minute = Number(mi)
  const second = Number(s)
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const offset = offsetMinutes(zone)
  if (offset === undefined) return undefined
  const millis = Number(fraction.padEnd(3, '0').slice(0, 3))
  const date = new Date(0)
  // setUTCFullYear: Date.UTC would read years 0-99 as 1900-1999.
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute - offset, second, millis)
  return Number.isNaN(date.getTime()) ? undefined : date
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28
  return [4, 6, 9, 11].includes(month) ? 30 : 31
}

/** `Z` is 0, `+05:30` (or `+0530`, `+05`) is 330; an offset of 24 hours or more is none. */
function offsetMinutes(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0
  const sign = zone.startsWith('-') ? -1 : 1
  const digits = zone.slice(1).replace(':', '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2) || '0')
  if (hours > 23 || minutes > 59) return undefined
  return sign * (hours * 60 + minutes)
}
