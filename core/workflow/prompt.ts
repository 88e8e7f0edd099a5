// Asks for missing values on the terminal (only when stdin is one; scripts get an error instead).
import {createInterface} from 'node:readline/promises'

/** Asks one question and resolves with the answer text. */
export type Ask = (question: string) => Promise<string>

/** An Ask on the process's terminal, and a close() to release stdin afterwards. */
export function terminalAsk(): {ask: Ask; close: () => void} {
  const rl = createInterface({input: process.stdin, output: process.stderr})
  return {ask: (question) => rl.question(question), close: () => rl.close()}
}

export function stdinIsTerminal(): boolean {
  return process.stdin.isTTY === true
}
