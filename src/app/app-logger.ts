import { consoleLogger, type Logger } from '../core/run/respond.js'
import type { Fetchable } from './app-options.js'

/**
 * How `serve()` reaches a served Gatehouse app's `logger`, for what no caller can hear of: a
 * shut-down on a signal that failed, where the signal handler is the only one awaiting it.
 */
export const LOGGER = Symbol('gatehouse.logger')

/** The app's own logger (a Gatehouse app's), else `console.error`. */
export function loggerOf(app: Fetchable): Logger {
  return (app as { [LOGGER]?: Logger })[LOGGER] ?? consoleLogger
}
