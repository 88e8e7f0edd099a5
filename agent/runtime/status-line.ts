// The live one-line status on a terminal: found / processed / failed / queued / rate / ETA.
// Rate is over the last ten minutes, so it follows the microscope rather than the whole session.
import type {PipelineCounts} from '../pipeline/pipeline.js'

const WINDOW_MS = 10 * 60_000

export class StatusLine {
  private readonly finishedAt: number[] = []
  private lastFinished = -1
  private shown = false
  private timer?: NodeJS.Timeout

  constructor(
    private readonly counts: () => PipelineCounts & {connected: boolean; pendingEvents: number},
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  start(intervalMs = 1000): void {
    this.timer = setInterval(() => this.render(), intervalMs)
    this.timer.unref()
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer)
    this.clear()
  }

  /** Removes the line so a log line can be written in its place. */
  clear(): void {
    if (!this.shown) return
    this.stream.write('\r\x1b[2K')
    this.shown = false
  }

  render(now = Date.now()): void {
    const c = this.counts()
    const finished = c.done + c.failed
    if (this.lastFinished >= 0) for (let i = this.lastFinished; i < finished; i++) this.finishedAt.push(now)
    this.lastFinished = finished
    while (this.finishedAt.length > 0 && this.finishedAt[0] < now - WINDOW_MS) this.finishedAt.shift()
    this.stream.write(`\r\x1b[2K${formatStatus(c, this.finishedAt.length, now - (this.finishedAt[0] ?? now))}`)
    this.shown = true
  }
}

/** "found 12 | processed 9 | failed 1 | [released 1 |] queued 2 | 3.0/min | ETA 40 s | controller: connected". */
export function formatStatus(
  c: PipelineCounts & {connected: boolean; pendingEvents: number},
  recentFinished: number,
  recentSpanMs: number,
): string {
  const perMinute = recentFinished >= 2 && recentSpanMs > 0 ? ((recentFinished - 1) / recentSpanMs) * 60_000 : undefined
  const waiting = c.queued + c.running
  const eta = perMinute && waiting > 0 ? `ETA ${formatDuration((waiting / perMinute) * 60_000)}` : 'ETA -'
  const link = c.connected ? 'controller: connected' : `controller: away (${c.pendingEvents} events held)`
  return [
    `found ${c.found}`,
    `processed ${c.done}`,
    `failed ${c.failed}`,
    // Shared agents only: movies dropped unstarted because their leases went to another agent.
    ...(c.released > 0 ? [`released ${c.released}`] : []),
    `queued ${waiting}`,
    perMinute ? `${perMinute.toFixed(1)}/min` : '-/min',
    eta,
    link,
  ].join(' | ')
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  return `${(s / 3600).toFixed(1)} h`
}
