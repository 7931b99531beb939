import { hash, verify } from '@node-rs/argon2'

/** `Algorithm.Argon2id`: the package's const enum cannot be imported under verbatimModuleSyntax. */
const ARGON2ID = 2

export interface PasswordHashSettings {
  memoryKib: number
  timeCost: number
  parallelism: number
}

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(hash: string, password: string): Promise<boolean>
  /** Costs what verify does, for a user that does not exist: equal timing, no enumeration. */
  verifyNobody(password: string): Promise<void>
}

/** argon2id (memory-hard, SPEC A2); the PHC string keeps the parameters, so they can be raised later. */
export async function createPasswordHasher(settings: PasswordHashSettings): Promise<PasswordHasher> {
  const options = {
    algorithm: ARGON2ID,
    memoryCost: settings.memoryKib,
    timeCost: settings.timeCost,
    parallelism: settings.parallelism,
  }
  const hashPassword = (password: string) => hash(password, options)
  const dummy = await hashPassword('no user has this password')
  return {
    hash: hashPassword,
    async verify(stored, password) {
      try {
        return await verify(stored, password)
      } catch {
        return false
      }
    },
    async verifyNobody(password) {
      await verify(dummy, password).catch(() => false)
    },
  }
}
