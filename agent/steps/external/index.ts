// Entry functions the pipeline's step worker calls for external programs (one per adapter):
// the built-in step's arguments (input, outDir, options) plus the external settings.
export {correctMotionWithRelion} from './relion-motioncorr.js'
export {estimateCtfWithCtffind} from './ctffind.js'
export {estimateCtfWithRelionCtffind} from './relion-ctffind.js'
export {estimateCtfWithGctf} from './gctf.js'
export {pickParticlesWithRelionLog} from './relion-autopick.js'
export {pickParticlesWithCryolo} from './cryolo.js'
import type {MotionResult} from '../../../core/results/index.js'
import type {MotionOptions} from '../motion/options.js'
import {correctMotionWithMotionCor} from './motioncor2.js'
import type {WithProvenance} from './provenance.js'
import type {ExternalSettings} from './settings.js'

export function correctMotionWithMotionCor2(moviePath: string, outDir: string, options: MotionOptions, settings: ExternalSettings, signal?: AbortSignal): Promise<WithProvenance<MotionResult>> {
  return correctMotionWithMotionCor(moviePath, outDir, options, settings, 'motioncor2', signal)
}

export function correctMotionWithMotionCor3(moviePath: string, outDir: string, options: MotionOptions, settings: ExternalSettings, signal?: AbortSignal): Promise<WithProvenance<MotionResult>> {
  return correctMotionWithMotionCor(moviePath, outDir, options, settings, 'motioncor3', signal)
}
