// The wizard's questions: what a session needs before it can start, each tied to the workflow
// setting it fills. The page and the terminal prompts both ask exactly these.
export interface Question {
  id: string
  label: string
  /** The workflow setting (key.path) the answer fills; none for the project name and template. */
  setting?: string
  kind: 'text' | 'number' | 'choice'
  required: boolean
  help?: string
  /** For 'choice': the allowed values. */
  choices?: string[]
  /** Shown when nothing is remembered. */
  default?: string
}

/** The questions, given the templates this machine can run (see programs.ts). */
export function wizardQuestions(templates: string[]): Question[] {
  return [
    {id: 'microscope', label: 'Microscope', kind: 'text', required: true, help: 'the last values used on it are offered again', default: 'krios-1'},
    {id: 'name', label: 'Session name', kind: 'text', required: true, help: 'the project name: letters, digits, ".", "_" or "-"'},
    {id: 'inputFolder', label: 'Data folder', setting: 'acquisition.inputFolder', kind: 'text', required: true, help: 'where the microscope writes the movies'},
    {id: 'filePattern', label: 'File pattern', setting: 'acquisition.filePatterns', kind: 'text', required: false, help: 'comma-separated, e.g. *.tiff,*.eer (empty: the template\'s)'},
    {id: 'pixelSize', label: 'Pixel size (Å)', setting: 'acquisition.pixelSize', kind: 'number', required: true},
    {id: 'dosePerFrame', label: 'Dose per frame (e/Å²)', setting: 'acquisition.dosePerFrame', kind: 'number', required: true},
    {id: 'voltage', label: 'Voltage (kV)', setting: 'acquisition.voltage', kind: 'number', required: true, default: '300'},
    {id: 'gainReference', label: 'Gain reference', setting: 'acquisition.gainReference', kind: 'text', required: false, help: 'MRC file (empty: none)'},
    {id: 'template', label: 'Programs', kind: 'choice', required: true, choices: templates, default: templates[0], help: 'workflow templates whose programs `agent doctor` finds here'},
    {id: 'diameterMin', label: 'Particle diameter min (Å)', setting: 'picking.diameterMin', kind: 'number', required: true},
    {id: 'diameterMax', label: 'Particle diameter max (Å)', setting: 'picking.diameterMax', kind: 'number', required: true},
    {id: 'publishTarget', label: 'Publish target', setting: 'report.publishTarget', kind: 'text', required: false, help: 'rsync destination of the report (empty: none)'},
  ]
}

export type Answers = Record<string, string>
