// TLS for `controller serve`: agents connect with wss:// and verify the certificate (against the
// system CAs or a pinned --ca). The controller's own commands pin the served certificate by its
// SHA-256 fingerprint from the owner-only server-info file, so they need no CA.
import {X509Certificate} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {isIP} from 'node:net'
import {ProjectError} from '../project/errors.js'

export interface TlsFiles {
  /** PEM certificate (chain) file. */
  cert: string
  /** PEM private key file. */
  key: string
}

export interface TlsMaterial {
  cert: string
  key: string
  /** SHA-256 fingerprint of the leaf certificate, as Node's getPeerCertificate() writes it. */
  fingerprint256: string
}

export function loadTls(files: TlsFiles): TlsMaterial {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8')
    } catch (error) {
      throw new ProjectError(file, `cannot read the TLS ${what}: ${(error as Error).message}`)
    }
  }
  const cert = read(files.cert, 'certificate')
  const key = read(files.key, 'key')
  let fingerprint256: string
  try {
    fingerprint256 = new X509Certificate(cert).fingerprint256
  } catch (error) {
    throw new ProjectError(files.cert, `not a PEM certificate: ${(error as Error).message}`)
  }
  return {cert, key, fingerprint256}
}

/** Loopback addresses: serving them without TLS stays on this machine. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1'
}
