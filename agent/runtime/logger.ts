// Log lines: plain text (or JSON lines with --log-json) on stderr, so stdout stays free for
// results; the live status line replaces them on a terminal for everyday progress.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface Logger {
  debug(line: string, fields?: Record<string, unknown>): void
  info(line: string, fields?: Record<string, unknown>): void
  warn(line: string, fields?: Record<string, unknown>): void
  error(line: string, fields?: Record<string, unknown>): void
}

export interface LoggerOptions {
  json: boolean
  verbose: boolean
  /** Called before a line is written (to clear the status line), and after. */
  around?: {before(): void; after(): void}
  write?: (text: string) => void
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? ((text: string) => process.stderr.write(text))
  const emit = (level: LogLevel, line: string, fields?: Record<string, unknown>) => {
    if (level === 'debug' && !options.verbose) return
    options.around?.before()
    if (options.json) write(JSON.stringify({time: new Date().toISOString(), level, msg: line, ...fields}) + '\n')
    else write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${line}\n`)
    options.around?.after()
  }
  return {
    debug: (line, fields) => emit('debug', line, fields),
    info: (line, fields) => emit('info', line, fields),
    warn: (line, fields) => emit('warn', line, fields),
    error: (line, fields) => emit('error', line, fields),
  }
}
