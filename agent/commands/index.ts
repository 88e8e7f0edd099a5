// Explicit command map: oclif loads this one module instead of globbing, which keeps start-up fast.
// Commands import their heavy dependencies inside run(), never at module top level.
import Process from './process.js'
import Start from './start.js'

export const COMMANDS = {process: Process, start: Start}
