import {describe, expect, it} from 'vitest'
import {validateWorkflow} from '../../core/workflow/index.js'
import {localWorkflow, parsePathMap, PathMapError, toLocal, toShared} from './path-map.js'

describe('--path-map', () => {
  const map = parsePathMap(['/mnt/krios=/data/krios/', '/mnt/krios/gains=/scratch/gains'])

  it('maps whole folder names, the longest prefix first, both ways', () => {
    expect(toLocal(map, '/mnt/krios/session1/a.tiff')).toBe('/data/krios/session1/a.tiff')
    expect(toLocal(map, '/mnt/krios')).toBe('/data/krios')
    expect(toLocal(map, '/mnt/krios/gains/gain.mrc')).toBe('/scratch/gains/gain.mrc')
    expect(toLocal(map, '/mnt/kriosX/a.tiff')).toBe('/mnt/kriosX/a.tiff')
    expect(toShared(map, '/data/krios/session1/a.tiff')).toBe('/mnt/krios/session1/a.tiff')
    expect(toShared(map, '/elsewhere/a.tiff')).toBe('/elsewhere/a.tiff')
  })

  it('reads the workflow\'s files through the map', () => {
    const workflow = validateWorkflow({
      acquisition: {inputFolder: '/mnt/krios/s1', gainReference: '/mnt/krios/gains/g.mrc', pixelSize: 1, voltage: 300, sphericalAberration: 2.7, dosePerFrame: 1},
      picking: {diameterMin: 100, diameterMax: 150},
    })
    const local = localWorkflow(workflow, map)
    expect([local.acquisition.inputFolder, local.acquisition.gainReference, local.acquisition.defectFile]).toEqual(['/data/krios/s1', '/scratch/gains/g.mrc', undefined])
    expect(workflow.acquisition.inputFolder).toBe('/mnt/krios/s1')
  })

  it('refuses an entry without = or with a relative path, naming it', () => {
    expect(() => parsePathMap(['/mnt/krios'])).toThrow(PathMapError)
    expect(() => parsePathMap(['/mnt/krios'])).toThrow('--path-map "/mnt/krios": must be SHARED=LOCAL')
    expect(() => parsePathMap(['/mnt/krios=data/krios'])).toThrow('"data/krios" is not an absolute path')
  })
})
