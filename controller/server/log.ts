/** One line per happening, for the operator; the server never throws on what it logs. */
export type Log = (level: 'info' | 'warn' | 'error', message: string) => void

export const stderrLog: Log = (level, message) => {
  process.stderr.write(`${new Date().toISOString()} ${level.padEnd(5)} ${message}\n`)
}
