import {execFileSync} from 'node:child_process'
import {readFile, stat, writeFile, truncate} from 'node:fs/promises'
import {describe, expect, it} from 'vitest'
import {describeWithTools, pythonWith} from '../../test/support/system-tools.js'
import {FormatError} from './errors.js'
import {decodeMrcHeader, encodeMrcHeader, MRC_HEADER_BYTES} from './mrc-header.js'
import {decodeMrc, openMrc, readMrcHeader, readMrcImage} from './mrc-read.js'
import {emptyMrcStatistics, encodeMrc, encodeMrcPreamble, encodeMrcSection, mrcSectionBytes, writeMrc, type MrcWriteOptions} from './mrc-write.js'
import type {MrcWriteMode} from './mrc-modes.js'
import {seededRandom, useTempDir} from './test-support/temp-dir.js'

const tmp = useTempDir('mrc')
const W = 37 // odd widths catch row-padding and stride mistakes
const H = 23

/** Values each mode represents exactly, so a round trip must reproduce them. */
function sectionsFor(mode: MrcWriteMode, count: number, seed = 1): Float32Array[] {
  const random = seededRandom(seed)
  const value: Record<MrcWriteMode, () => number> = {
    0: () => Math.round(random() * 255 - 128) + 0, // + 0 turns -0 into 0
    1: () => Math.round(random() * 60000 - 30000) + 0,
    2: () => random() * 200 - 100,
    6: () => Math.round(random() * 65535),
    12: () => Math.round(random() * 64) / 64, // small range: mrcfile's float16 std would overflow
  }
  return Array.from({length: count}, () => Float32Array.from({length: W * H}, value[mode]))
}

function stats(sections: Float32Array[]) {
  const all = sections.flatMap((s) => Array.from(s))
  const mean = all.reduce((a, b) => a + b, 0) / all.length
  const std = Math.sqrt(all.reduce((a, b) => a + (b - mean) ** 2, 0) / all.length)
  return {min: Math.min(...all), max: Math.max(...all), mean, std}
}

async function expectFormatError(promise: Promise<unknown>, code: FormatError['code'], file: string): Promise<FormatError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(FormatError)
  const formatError = error as FormatError
  expect(formatError.code).toBe(code)
  expect(formatError.file).toBe(file)
  expect(formatError.message).toContain(file)
  return formatError
}

describe('MRC write/read round trip', () => {
  for (const mode of [0, 1, 2, 6, 12] as const) {
    it(`mode ${mode}: values, header statistics and pixel size survive`, async () => {
      const sections = sectionsFor(mode, 3)
      const path = tmp(`rt${mode}.mrc`)
      await writeMrc(path, sections, {width: W, height: H, mode, pixelSize: 1.34, labels: ['a', 'b']})
      const mrc = await openMrc(path)
      try {
        expect([mrc.width, mrc.height, mrc.depth]).toEqual([W, H, 3])
        expect(mrc.pixelSize).toBeCloseTo(1.34, 5)
        for (let z = 0; z < 3; z++) expect(Array.from(await mrc.readSection(z))).toEqual(Array.from(sections[z]))
        const expected = stats(sections)
        expect(mrc.header.dmin).toBe(Math.fround(expected.min))
        expect(mrc.header.dmax).toBe(Math.fround(expected.max))
        expect(mrc.header.dmean / expected.mean).toBeCloseTo(1, 6)
        expect(mrc.header.rms / expected.std).toBeCloseTo(1, 6)
        expect(mrc.header.nversion).toBe(20140)
        expect(mrc.header.machst).toEqual([0x44, 0x44, 0, 0])
        expect(mrc.header.labels).toEqual(['a', 'b'])
        expect(mrc.header.nlabl).toBe(2)
      } finally {
        await mrc.close()
      }
    })
  }

  it('encodeMrc gives the same bytes writeMrc writes', async () => {
    const sections = sectionsFor(1, 2)
    const opts: MrcWriteOptions = {width: W, height: H, mode: 1}
    await writeMrc(tmp('same.mrc'), sections, opts)
    expect(Buffer.compare(await readFile(tmp('same.mrc')), encodeMrc(sections, opts))).toBe(0)
  })

  for (const littleEndian of [true, false]) {
    it(`a preamble plus sections encoded one by one into a reused buffer equal encodeMrc (${littleEndian ? 'little' : 'big'}-endian)`, () => {
      for (const mode of [0, 1, 2, 6, 12] as const) {
        const sections = sectionsFor(mode, 3, mode + 5)
        const opts: MrcWriteOptions = {width: W, height: H, mode, dosePerFrame: 0.8, littleEndian}
        const stats = emptyMrcStatistics()
        const buffer = new Uint8Array(mrcSectionBytes(opts))
        const encoded = sections.map((s) => encodeMrcSection(s, mode, littleEndian, stats, buffer).slice())
        const streamed = Buffer.concat([encodeMrcPreamble(opts, sections.length, stats), ...encoded])
        expect(Buffer.compare(streamed, encodeMrc(sections, opts))).toBe(0)
        expect(decodeMrc(streamed).sections.map((s) => Array.from(s))).toEqual(sections.map((s) => Array.from(s)))
      }
    })
  }

  it('encodes int16 (mode 1) and uint16 (mode 6) values as they are, with the same statistics as floats', () => {
    for (const [mode, Typed] of [[1, Int16Array], [6, Uint16Array]] as const) {
      for (const littleEndian of [true, false]) {
        const floats = sectionsFor(mode, 2, 11)
        const fromFloats = emptyMrcStatistics()
        const fromTyped = emptyMrcStatistics()
        const a = floats.map((s) => encodeMrcSection(s, mode, littleEndian, fromFloats))
        const b = floats.map((s) => encodeMrcSection(Typed.from(s), mode, littleEndian, fromTyped))
        expect(Buffer.compare(Buffer.concat(a), Buffer.concat(b))).toBe(0)
        expect(fromTyped).toEqual(fromFloats)
      }
    }
    expect(() => encodeMrcSection(new Int16Array(4), 6, true, emptyMrcStatistics())).toThrow(/mode 6 cannot be encoded from Int16Array/)
  })

  it('reads big-endian files (MACHST 11 11) to the same values', () => {
    const sections = sectionsFor(2, 2)
    const big = decodeMrc(encodeMrc(sections, {width: W, height: H, littleEndian: false}))
    expect(big.header.littleEndian).toBe(false)
    expect(big.header.machst).toEqual([0x11, 0x11, 0, 0])
    expect(big.sections.map((s) => Array.from(s))).toEqual(sections.map((s) => Array.from(s)))
  })

  it('integer modes reject values they cannot store instead of wrapping', () => {
    expect(() => encodeMrc([new Float32Array(W * H).fill(200)], {width: W, height: H, mode: 0})).toThrow(/does not fit MRC mode 0/)
    expect(() => encodeMrc([new Float32Array(W * H).fill(-1)], {width: W, height: H, mode: 6})).toThrow(/does not fit MRC mode 6/)
  })

  it('skips the extended header (NSYMBT) and reads FEI1 dose and pixel size', async () => {
    const sections = sectionsFor(2, 2)
    const path = tmp('fei.mrc')
    await writeMrc(path, sections, {width: W, height: H, dosePerFrame: 1.25, pixelSize: 0.83})
    const header = await readMrcHeader(path)
    expect(header.exttyp).toBe('FEI1')
    expect(header.nsymbt).toBe(2 * 768)
    // CELLA zero: the pixel size must then come from the extended header.
    const bytes = new Uint8Array(await readFile(path))
    bytes.set(encodeMrcHeader({...header, cella: [0, 0, 0]}))
    const decoded = decodeMrc(bytes)
    expect(decoded.extended.dosePerFrame).toBeCloseTo(1.25, 6)
    expect(decoded.extended.pixelSize).toBeCloseTo(0.83, 6)
    expect(Array.from(decoded.sections[1])).toEqual(Array.from(sections[1]))
    await writeFile(path, bytes)
    const mrc = await openMrc(path)
    expect(mrc.pixelSize).toBeCloseTo(0.83, 6)
    expect(mrc.dosePerFrame).toBeCloseTo(1.25, 6)
    await mrc.close()
  })

  it('reads mode 101 (4-bit packed, low nibble first, rows padded to a byte)', () => {
    const template = decodeMrc(encodeMrc([new Float32Array(W * H)], {width: W, height: H})).header
    const rowBytes = Math.ceil(W / 2)
    const packed = new Uint8Array(rowBytes * H)
    const expected = new Float32Array(W * H)
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const v = (x * 3 + y * 5) % 16
        expected[y * W + x] = v
        packed[y * rowBytes + (x >> 1)] |= x & 1 ? v << 4 : v
      }
    }
    const bytes = new Uint8Array(MRC_HEADER_BYTES + packed.length)
    bytes.set(encodeMrcHeader({...template, mode: 101}))
    bytes.set(packed, MRC_HEADER_BYTES)
    expect(Array.from(decodeMrc(bytes).sections[0])).toEqual(Array.from(expected))
  })

  it('reads IMOD-stamped mode 0 without the signed flag as unsigned bytes', () => {
    const signed = encodeMrc([Float32Array.from({length: W * H}, (_, i) => (i % 2 ? -56 : 100))], {width: W, height: H, mode: 0})
    const header = decodeMrcHeader(signed, 'x')
    const imod = new Uint8Array(signed)
    imod.set(encodeMrcHeader({...header, imodStamp: 1146047817, imodFlags: 0}))
    expect(decodeMrc(imod).sections[0].slice(0, 2)).toEqual(Float32Array.from([100, 200]))
    expect(decodeMrc(signed).sections[0].slice(0, 2)).toEqual(Float32Array.from([100, -56]))
  })

  it('reads pre-MRC2014 files without MAP and MACHST, guessing the byte order from MODE', () => {
    const sections = sectionsFor(1, 1)
    for (const littleEndian of [true, false]) {
      const bytes = new Uint8Array(encodeMrc(sections, {width: W, height: H, mode: 1, littleEndian}))
      bytes.fill(0, 208, 216) // no "MAP ", no machine stamp
      const decoded = decodeMrc(bytes)
      expect(decoded.header.littleEndian).toBe(littleEndian)
      expect(Array.from(decoded.sections[0])).toEqual(Array.from(sections[0]))
    }
  })

  it('readMrcImage returns the first section as an Image2D', async () => {
    const sections = sectionsFor(2, 2)
    await writeMrc(tmp('img.mrc'), sections, {width: W, height: H, pixelSize: 2})
    const {image, pixelSize} = await readMrcImage(tmp('img.mrc'))
    expect([image.width, image.height, pixelSize]).toEqual([W, H, 2])
    expect(Array.from(image.data)).toEqual(Array.from(sections[0]))
  })
})

describe('MRC bad input gives a typed error naming the file', () => {
  async function validFile(name: string): Promise<{path: string; bytes: Uint8Array}> {
    const path = tmp(name)
    await writeMrc(path, sectionsFor(2, 2), {width: W, height: H})
    return {path, bytes: new Uint8Array(await readFile(path))}
  }

  it('zero-byte file', async () => {
    await writeFile(tmp('empty.mrc'), new Uint8Array(0))
    await expectFormatError(openMrc(tmp('empty.mrc')), 'empty', tmp('empty.mrc'))
  })

  it('truncated inside the header', async () => {
    const {path} = await validFile('short-header.mrc')
    await truncate(path, 500)
    await expectFormatError(readMrcHeader(path), 'truncated', path)
  })

  it('truncated data (a file still being written)', async () => {
    const {path} = await validFile('truncated.mrc')
    await truncate(path, (await stat(path)).size - 10)
    const error = await expectFormatError(openMrc(path), 'size-mismatch', path)
    expect(error.problem).toMatch(/truncated/)
  })

  it('header dimensions that do not fit the file size', async () => {
    const {path, bytes} = await validFile('dims.mrc')
    bytes.set(encodeMrcHeader({...decodeMrcHeader(bytes, path), nz: 3}))
    await writeFile(path, bytes)
    await expectFormatError(openMrc(path), 'size-mismatch', path)
  })

  it('unknown mode', async () => {
    const {path, bytes} = await validFile('mode.mrc')
    bytes.set(encodeMrcHeader({...decodeMrcHeader(bytes, path), mode: 4}))
    await writeFile(path, bytes)
    const error = await expectFormatError(openMrc(path), 'unknown-mode', path)
    expect(error.problem).toContain('mode 4')
  })

  it('NaN and Inf pixels', async () => {
    for (const bad of [NaN, Infinity]) {
      const {path, bytes} = await validFile(`nonfinite-${bad}.mrc`)
      new DataView(bytes.buffer).setFloat32(MRC_HEADER_BYTES + W * H * 4 + 4 * (2 * W + 5), bad, true)
      await writeFile(path, bytes)
      const mrc = await openMrc(path)
      await expect(mrc.readSection(0)).resolves.toHaveLength(W * H)
      const error = await expectFormatError(mrc.readSection(1), 'non-finite', path)
      expect(error.problem).toContain('x=5, y=2')
      await mrc.close()
    }
  })

  it('non-MRC content with an .mrc name', async () => {
    const path = tmp('text.mrc')
    await writeFile(path, 'this is a text file, not an image\n'.repeat(64))
    await expectFormatError(openMrc(path), 'not-format', path)
  })

  it('absurd dimensions (nx = 2^31 wraps to negative; 2^20 x 2^20 is too large) without allocating', async () => {
    const {path, bytes} = await validFile('absurd.mrc')
    const header = decodeMrcHeader(bytes, path)
    const view = new DataView(bytes.buffer)
    view.setUint32(0, 2 ** 31, true)
    await writeFile(path, bytes)
    await expectFormatError(openMrc(path), 'absurd-dimensions', path)
    bytes.set(encodeMrcHeader({...header, nx: 2 ** 20, ny: 2 ** 20}))
    await writeFile(path, bytes)
    await expectFormatError(readMrcHeader(path), 'absurd-dimensions', path)
  })

  it('a section index past the end', async () => {
    const {path} = await validFile('index.mrc')
    const mrc = await openMrc(path)
    await expectFormatError(mrc.readSection(2), 'out-of-range', path)
    await mrc.close()
  })
})

describeWithTools({pythonModules: ['mrcfile']}, 'files we write pass mrcfile.validate', () => {
  for (const mode of [0, 1, 2, 6, 12] as const) {
    it(`mode ${mode}`, async () => {
      const path = tmp(`valid${mode}.mrc`)
      await writeMrc(path, sectionsFor(mode, 3, 7), {width: W, height: H, mode, pixelSize: 1.1, dosePerFrame: mode === 2 ? 1 : undefined})
      const script = 'import mrcfile, sys; sys.exit(0 if mrcfile.validate(sys.argv[1]) else 1)'
      expect(() => execFileSync(pythonWith('mrcfile')!, ['-c', script, path], {encoding: 'utf8'})).not.toThrow()
    })
  }
})

describeWithTools({commands: ['relion_image_handler']}, 'RELION agrees with our MRC files', () => {
  function relionStats(path: string): {mean: number; std: number; angpix: number} {
    const out = execFileSync('relion_image_handler', ['--i', path, '--stats'], {encoding: 'utf8'})
    const number = (key: string) => Number(new RegExp(`${key}\\s*=\\s*(-?[\\d.e+-]+)`).exec(out)![1])
    return {mean: number('avg'), std: number('stddev'), angpix: number('angpix')}
  }

  for (const mode of [0, 1, 2, 6] as const) {
    it(`relion_image_handler --stats reads our mode ${mode} file with our mean and stddev`, async () => {
      // RELION 3.1 reads mode 6 as signed int16 (fixed in RELION 4): keep values below 2^15 there.
      const sections = sectionsFor(mode, 1, 3).map((s) => (mode === 6 ? s.map((x) => Math.floor(x / 2)) : s))
      const path = tmp(`relion${mode}.mrc`)
      await writeMrc(path, sections, {width: W, height: H, mode, pixelSize: 1.5})
      const ours = stats(sections)
      const theirs = relionStats(path)
      expect(theirs.mean).toBeCloseTo(ours.mean, Math.abs(ours.mean) > 100 ? 1 : 3)
      expect(theirs.std / ours.std).toBeCloseTo(1, 4)
      expect(theirs.angpix).toBeCloseTo(1.5, 4)
    })
  }

  it('we read a RELION-written MRC (our file x 2 through relion_image_handler)', async () => {
    const sections = sectionsFor(2, 1, 5)
    await writeMrc(tmp('in.mrc'), sections, {width: W, height: H, pixelSize: 1.7})
    execFileSync('relion_image_handler', ['--i', tmp('in.mrc'), '--o', tmp('relion-out.mrc'), '--multiply_constant', '2'])
    const {image, pixelSize} = await readMrcImage(tmp('relion-out.mrc'))
    expect(pixelSize).toBeCloseTo(1.7, 4)
    const doubled = Array.from(sections[0], (x) => 2 * x)
    Array.from(image.data).forEach((v, i) => expect(v).toBeCloseTo(doubled[i], 4))
  })
})
