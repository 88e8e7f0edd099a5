// Explicit command map: oclif loads this one module instead of globbing, which keeps start-up fast.
// Commands import their heavy dependencies inside run(), never at module top level.
import CreateProject from './create-project.js'
import Curate from './curate.js'
import Export from './export.js'
import Provenance from './provenance.js'
import Rerun from './rerun.js'
import ScheduleProject from './schedule-project.js'
import Serve from './serve.js'
import Status from './status.js'
import StopStreaming from './stop-streaming.js'
import Wizard from './wizard.js'

export const COMMANDS = {
  'create-project': CreateProject,
  serve: Serve,
  'schedule-project': ScheduleProject,
  status: Status,
  'stop-streaming': StopStreaming,
  curate: Curate,
  export: Export,
  provenance: Provenance,
  rerun: Rerun,
  wizard: Wizard,
}
