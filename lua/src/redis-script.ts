import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Cluster, Redis } from 'ioredis'

export type RedisClient = Redis | Cluster
export type ScriptArg = string | number

const scriptsDir = new URL('../scripts/', import.meta.url)
const includePattern = /^-- @include "([^"]+)"$/gm

/** Reads a script and inlines its `-- @include "file"` lines (one level, like bullmq's includes). */
export function readScriptSource(fileName: string): string {
  const source = readFileSync(new URL(fileName, scriptsDir), 'utf8')
  return source.replace(includePattern, (_, include: string) =>
    readFileSync(new URL(include, scriptsDir), 'utf8'),
  )
}

const isNoScriptError = (error: unknown) => error instanceof Error && error.message.startsWith('NOSCRIPT')

/**
 * One Lua script, loaded once and called by SHA. When Redis does not know the SHA (after SCRIPT
 * FLUSH, a restart or a failover) the call falls back to EVAL, which also caches the script again.
 */
export class RedisScript {
  readonly sha: string

  constructor(
    readonly name: string,
    readonly source: string,
    readonly numberOfKeys: number,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex')
  }

  static fromFile(fileName: string, numberOfKeys: number): RedisScript {
    return new RedisScript(fileName.replace(/\.lua$/, ''), readScriptSource(fileName), numberOfKeys)
  }

  async run(redis: RedisClient, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    if (keys.length !== this.numberOfKeys) {
      throw new TypeError(`${this.name} takes ${this.numberOfKeys} keys, got ${keys.length}`)
    }
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!isNoScriptError(error)) throw error
      return redis.eval(this.source, keys.length, ...keys, ...args)
    }
  }

  /** Loads the script ahead of the first call (on every master of a Cluster). */
  async load(redis: RedisClient): Promise<void> {
    const nodes = 'nodes' in redis ? redis.nodes('master') : [redis]
    await Promise.all(nodes.map((node) => node.script('LOAD', this.source)))
  }
}
