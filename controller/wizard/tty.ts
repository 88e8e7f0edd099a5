// `controller wizard --tty`: the same questions as terminal prompts (node:readline); Enter keeps
// the value in brackets (the microscope's last one, else the default).
import {createInterface} from 'node:readline'
import {rememberedAnswers} from './memory.js'
import type {Answers, Question} from './questions.js'

export async function askInTerminal(
  questions: Question[],
  projectsDir: string,
  io: {input: NodeJS.ReadableStream; output: NodeJS.WritableStream} = {input: process.stdin, output: process.stdout},
): Promise<Answers> {
  const rl = createInterface({input: io.input, terminal: false})
  // The line iterator keeps lines that arrive before their prompt (piped answers); at the end of input, Enter.
  const lines = rl[Symbol.asyncIterator]()
  const answers: Answers = {}
  let remembered: Answers = {}
  try {
    for (const q of questions) {
      const suggestion = remembered[q.id] ?? q.default ?? ''
      const choices = q.choices ? ` (${q.choices.join(' / ')})` : ''
      io.output.write(`${q.label}${choices}${suggestion ? ` [${suggestion}]` : ''}: `)
      const next = await lines.next()
      const line = next.done ? '' : String(next.value).trim()
      answers[q.id] = line === '' ? suggestion : line
      if (q.id === 'microscope') remembered = rememberedAnswers(projectsDir, answers[q.id])
    }
  } finally {
    rl.close()
  }
  return answers
}
