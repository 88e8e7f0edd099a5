// Worker tasks of the motion step (run through core/numeric/worker-pool.ts when threads > 1):
// frames and spectra travel as SharedArrayBuffer-backed arrays, so nothing large is copied.
import {alignedSumSpectra, type AlignedSumInput, type AlignedSumSpectra} from './aligned-sum.js'
import {frameSpectra, type FrameCorrection, type FrameStats} from './frame-spectrum.js'

export function motionFrameSpectra(p: {frame: Float32Array; frameIndex: number; correction: FrameCorrection; spectrum: Float32Array; small: Float32Array}): FrameStats {
  return frameSpectra(p.frame, p.frameIndex, p.correction, p.spectrum, p.small)
}

export function motionSumRows(p: {input: AlignedSumInput; rows: {from: number; to: number}; out: AlignedSumSpectra}): void {
  alignedSumSpectra(p.input, undefined, p.rows, p.out)
}
