// The provenance chain as lines for a person to read.
import type {MicrographProvenance, StepRunTrace} from './trace.js'

const size = (bytes: number | null) => (bytes === null ? '?' : `${bytes} bytes`)

function describeRun(r: StepRunTrace): string[] {
  const head = `${r.current ? '*' : ' '} ${r.step} v${r.version}: ${r.state} (attempt ${r.attempt}) ${r.program ?? '?'} ${r.programVersion ?? ''}`.trimEnd()
  return [
    head,
    `    on ${r.host ?? '?'}${r.job ? ` in ${r.job.scheduler.toUpperCase()} job ${r.job.jobId} on ${r.job.node || '?'}` : ''} ${r.startedAt ?? '?'} -> ${r.endedAt ?? '?'}, exit ${r.exitStatus ?? '-'}`,
    ...(r.argv && r.argv.length > 0 ? [`    argv: ${r.argv.map(quote).join(' ')}`] : []),
    `    parameters: ${JSON.stringify(r.parameters ?? {})}`,
    ...r.outputs.map((o) => `    wrote ${o}`),
    ...(r.error ? [`    error: ${r.error}`] : []),
  ]
}

/** Shell-style quoting, so an argv line can be pasted back into a terminal. */
const quote = (arg: string) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)

export function describeProvenance(p: MicrographProvenance): string {
  const o = p.origin
  const lines = [
    `${p.project} / ${o.movie} (${o.state})`,
    `movie ${o.path ?? '?'}: ${size(o.sizeBytes)}, ${o.checksum ?? 'no checksum'}, ${o.format ?? '?'}, modified ${o.modifiedAt ?? '?'}, found ${o.foundAt} by ${o.agentId ?? '?'}`,
    'steps (* = current version, the one shown and exported):',
    ...p.runs.flatMap(describeRun),
  ]
  if (p.curation) {
    lines.push(p.curation.accepted ? 'curation: accepted' : `curation: rejected (${p.curation.reasons.map((r) => r.message).join('; ')})`)
  }
  lines.push(p.exported.length > 0 ? 'exported rows:' : 'exported rows: none (not finished)')
  for (const row of p.exported) {
    const values = Object.entries(row.values).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`)
    lines.push(`  ${row.file} (${row.step} v${row.version}): ${values.join(' ')}`)
  }
  return lines.join('\n')
}
