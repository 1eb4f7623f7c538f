import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { newId } from './ids.js'
import { type EmulatorState, type SigningKey } from './state.js'

/** A fresh RS256 key pair with a fresh kid (a new key under an old kid would not make jose refetch the JWKS). */
export async function generateSigningKey (): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
  const { n, e } = await exportJWK(publicKey)
  const kid = newId('jwk')
  return {
    kid,
    privateKey,
    // The JWK fields of the reference §6.7; jose only uses kty/kid/alg/use/key_ops/n/e to pick and import it.
    publicJwk: { kty: 'RSA', use: 'sig', key_ops: ['verify'], alg: 'RS256', kid, x5c: [], x5tS256: '', n, e } as JWK
  }
}

export function listedKeys (state: EmulatorState): SigningKey[] {
  return [state.keys.current, ...state.keys.previous]
}

/** Makes a new key current; the old one stays listed (and valid for verification) until removed. */
export async function rotateSigningKey (state: EmulatorState): Promise<void> {
  const next = await generateSigningKey()
  state.keys.previous.unshift(state.keys.current)
  state.keys.current = next
}

/** Removes a non-current key from the JWKS; false if the kid is unknown or current. */
export function removeKey (state: EmulatorState, kid: string): boolean {
  const index = state.keys.previous.findIndex((key) => key.kid === kid)
  if (index === -1) return false
  state.keys.previous.splice(index, 1)
  return true
}
