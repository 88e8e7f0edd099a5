// The last answers per microscope, kept in the projects folder, so the next session on the same
// microscope starts from them. Session name and data folder change every time: not kept.
import {existsSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import type {Answers} from './questions.js'

const NOT_REMEMBERED = new Set(['name', 'inputFolder'])

export const memoryFile = (projectsDir: string) => join(projectsDir, '.wizard-last-values.json')

type Memory = Record<string, Answers>

function readMemory(projectsDir: string): Memory {
  const file = memoryFile(projectsDir)
  if (!existsSync(file)) return {}
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Memory) : {}
  } catch {
    return {} // a damaged file only loses the suggestions
  }
}

/** The remembered answers of a microscope ({} when none). */
export function rememberedAnswers(projectsDir: string, microscope: string): Answers {
  return readMemory(projectsDir)[microscope] ?? {}
}

/** Every microscope with remembered answers (the page offers them). */
export function rememberedMicroscopes(projectsDir: string): Memory {
  return readMemory(projectsDir)
}

export function rememberAnswers(projectsDir: string, microscope: string, answers: Answers): void {
  const memory = readMemory(projectsDir)
  memory[microscope] = Object.fromEntries(Object.entries(answers).filter(([id]) => !NOT_REMEMBERED.has(id) && id !== 'microscope'))
  const file = memoryFile(projectsDir)
  writeFileSync(`${file}.tmp`, JSON.stringify(memory, null, 2) + '\n', {mode: 0o600})
  renameSync(`${file}.tmp`, file)
}
