// The wizard's one page: a plain form (no external resources) and a small script that fills in a
// microscope's remembered values and posts the answers as JSON.
import type {Answers, Question} from './questions.js'

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

function field(q: Question, value: string): string {
  const id = `q-${q.id}`
  const help = q.help ? `<small>${escape(q.help)}</small>` : ''
  const control =
    q.kind === 'choice'
      ? `<select id="${id}" name="${q.id}">${(q.choices ?? []).map((c) => `<option${c === value ? ' selected' : ''}>${escape(c)}</option>`).join('')}</select>`
      : `<input id="${id}" name="${q.id}" type="${q.kind === 'number' ? 'number' : 'text'}"${q.kind === 'number' ? ' step="any"' : ''}` +
        ` value="${escape(value)}"${q.required ? ' required' : ''}>`
  return `<label for="${id}">${escape(q.label)}${q.required ? ' *' : ''}</label>${control}${help}`
}

const SCRIPT = `
const form = document.getElementById('wizard')
const out = document.getElementById('result')
document.getElementById('q-microscope').addEventListener('change', async (e) => {
  const r = await fetch('remembered?microscope=' + encodeURIComponent(e.target.value))
  const values = await r.json()
  for (const [id, value] of Object.entries(values)) {
    const el = form.elements.namedItem(id)
    if (el) el.value = value
  }
})
form.addEventListener('submit', async (e) => {
  e.preventDefault()
  out.className = ''
  out.textContent = 'Creating the project ...'
  const answers = Object.fromEntries(new FormData(form).entries())
  const r = await fetch('session', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify(answers)})
  const body = await r.json()
  if (!r.ok) {
    out.className = 'error'
    out.textContent = body.error
    return
  }
  out.className = 'done'
  out.innerHTML = ''
  const head = document.createElement('p')
  head.id = 'created'
  head.textContent = 'Project ' + body.project.name + ' created in ' + body.project.path + ': ' + body.state +
    (body.served ? ' (agents receive the workflow now).' : ' (no controller is serving: start one with controller serve).')
  const token = document.createElement('p')
  token.textContent = 'Agent token (shown once): ' + body.project.token
  const label = document.createElement('p')
  label.textContent = 'The same from a terminal:'
  const pre = document.createElement('pre')
  pre.id = 'commands'
  pre.textContent = body.commands.join('\\n')
  out.append(head, token, label, pre)
})
`

export function wizardPage(questions: Question[], answers: Answers): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>emstream: new session</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body { font: 15px system-ui, sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em; }
form { display: grid; grid-template-columns: 14em 1fr; gap: .4em 1em; align-items: baseline; }
small { grid-column: 2; color: #555; margin-top: -.3em; }
button { grid-column: 2; justify-self: start; padding: .4em 1.2em; }
.error { color: #b00020; white-space: pre-wrap; }
pre { background: #f4f4f4; padding: .6em; white-space: pre-wrap; word-break: break-all; }
</style></head>
<body><h1>New streaming session</h1>
<form id="wizard">${questions.map((q) => field(q, answers[q.id] ?? q.default ?? '')).join('\n')}
<button type="submit">Create and schedule</button></form>
<div id="result" role="status"></div>
<script>${SCRIPT}</script>
</body></html>`
}
