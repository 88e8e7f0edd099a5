// Explicit command map: oclif loads this one module instead of globbing, which keeps start-up fast.
// Commands import their heavy dependencies inside run(), never at module top level.
import Doctor from './doctor.js'
import Process from './process.js'
import Start from './start.js'

export const COMMANDS = {doctor: Doctor, process: Process, start: Start}
