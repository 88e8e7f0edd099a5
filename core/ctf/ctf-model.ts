// The CTF in CTFFIND / RELION conventions (../shared/docs/domain.md): one definition shared by
// the simulator (to image through it) and the estimator (to fit it).

export interface CtfParameters {
  /** Acceleration voltage (kV). */
  voltage: number
  /** Spherical aberration (mm). */
  sphericalAberration: number
  /** Amplitude contrast fraction (0.07-0.1 typical). */
  amplitudeContrast: number
  /** Defocus along the major / minor axis (A, positive = underfocus), U >= V. */
  defocusU: number
  defocusV: number
  /** Astigmatism angle (deg) from +x toward +y (the row direction). */
  defocusAngle: number
  /** Additional phase shift (deg). */
  phaseShift?: number
}

/** Relativistic electron wavelength (A) for an acceleration voltage in kV. */
export function electronWavelength(kilovolts: number): number {
  const v = kilovolts * 1000
  return 12.2643 / Math.sqrt(v * (1 + 0.978466e-6 * v))
}

/** Precomputed constants for evaluating chi quickly over many frequencies. */
export interface CtfTerms {
  lambda: number
  /** Cs in A. */
  cs: number
  defocusMean: number
  defocusHalfDiff: number
  angleRad: number
  /** Phase shift plus the amplitude-contrast phase (rad). */
  constantPhase: number
}

export function ctfTerms(p: CtfParameters): CtfTerms {
  const w = p.amplitudeContrast
  return {
    lambda: electronWavelength(p.voltage),
    cs: p.sphericalAberration * 1e7,
    defocusMean: 0.5 * (p.defocusU + p.defocusV),
    defocusHalfDiff: 0.5 * (p.defocusU - p.defocusV),
    angleRad: (p.defocusAngle * Math.PI) / 180,
    constantPhase: ((p.phaseShift ?? 0) * Math.PI) / 180 + Math.atan(w / Math.sqrt(1 - w * w)),
  }
}

/**
 * chi split into the coefficients of its polynomial in k^2, for kernels that evaluate it at
 * millions of (frequency, defocus) pairs: chi = defocus * k2 * defocus_term - k2^2 * quartic + constant.
 */
export interface ChiCoefficients {
  /** pi * lambda (multiplies defocus * k^2). */
  defocusTerm: number
  /** (pi / 2) * Cs * lambda^3 (multiplies k^4). */
  quartic: number
  /** Phase shift plus the amplitude-contrast phase (rad). */
  constant: number
}

export function chiCoefficients(t: CtfTerms): ChiCoefficients {
  const l = t.lambda
  return {defocusTerm: Math.PI * l, quartic: 0.5 * Math.PI * t.cs * l * l * l, constant: t.constantPhase}
}

/** Defocus (A) in the direction of azimuth `azimuth` (rad, atan2(ky, kx)). */
export function defocusAt(t: CtfTerms, azimuth: number): number {
  return t.defocusMean + t.defocusHalfDiff * Math.cos(2 * (azimuth - t.angleRad))
}

/** Phase aberration chi at spatial frequency k (1/A) and azimuth (rad). */
export function chi(t: CtfTerms, k: number, azimuth: number): number {
  const k2 = k * k
  const l = t.lambda
  return Math.PI * l * defocusAt(t, azimuth) * k2 - 0.5 * Math.PI * t.cs * l * l * l * k2 * k2 + t.constantPhase
}

/** CTF = -sin(chi). */
export function ctfValue(t: CtfTerms, k: number, azimuth: number): number {
  return -Math.sin(chi(t, k, azimuth))
}

/** Converts any (U, V, angle) to the convention U >= V, angle in (-90, 90]. */
export function normalizeAstigmatism(u: number, v: number, angleDeg: number): {defocusU: number; defocusV: number; defocusAngle: number} {
  let a = angleDeg
  if (v > u) {
    ;[u, v] = [v, u]
    a += 90
  }
  a = ((a % 180) + 180) % 180 // [0, 180)
  if (a > 90) a -= 180 // (-90, 90]
  return {defocusU: u, defocusV: v, defocusAngle: a}
}
