import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { Cluster, Redis } from 'ioredis'
import { keySlot } from './key-slot'

export type RedisClient = Redis | Cluster
export type ScriptArg = string | number

/** One call of a script: its KEYS and ARGV, as its argument builder puts them in order. */
export interface ScriptCall {
  keys: readonly string[]
  args: readonly ScriptArg[]
}

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

  private checkKeys(keys: readonly string[]) {
    if (keys.length !== this.numberOfKeys) {
      throw new TypeError(`${this.name} takes ${this.numberOfKeys} keys, got ${keys.length}`)
    }
  }

  async run(redis: RedisClient, keys: readonly string[], args: readonly ScriptArg[]): Promise<unknown> {
    this.checkKeys(keys)
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args)
    } catch (error) {
      if (!isNoScriptError(error)) throw error
      return redis.eval(this.source, keys.length, ...keys, ...args)
    }
  }

  /**
   * Many calls in one pipeline (one round trip). On a Cluster a pipeline must stay in one slot, so
   * the calls are split by the slot of their keys, one pipeline per slot, sent together. A call
   * answered NOSCRIPT (a node that never saw the script, a promoted replica) is run again on its
   * own, with the EVAL fallback. Replies come back in the calls' order.
   */
  async runPipelined(redis: RedisClient, calls: readonly ScriptCall[]): Promise<unknown[]> {
    for (const { keys } of calls) this.checkKeys(keys)
    if (!redis.isCluster) return this.pipelineOf(redis, calls)
    const bySlot = new Map<number, number[]>()
    calls.forEach(({ keys }, index) => {
      const slot = keys[0] === undefined ? 0 : keySlot(keys[0])
      const indexes = bySlot.get(slot)
      if (indexes) indexes.push(index)
      else bySlot.set(slot, [index])
    })
    const replies: unknown[] = new Array(calls.length)
    await Promise.all(
      [...bySlot.values()].map(async (indexes) => {
        const group = indexes.map((index) => calls[index] as ScriptCall)
        const groupReplies = await this.pipelineOf(redis, group)
        groupReplies.forEach((reply, at) => {
          replies[indexes[at] as number] = reply
        })
      }),
    )
    return replies
  }

  private async pipelineOf(redis: RedisClient, calls: readonly ScriptCall[]): Promise<unknown[]> {
    const pipeline = redis.pipeline()
    for (const { keys, args } of calls) pipeline.evalsha(this.sha, keys.length, ...keys, ...args)
    const replies = (await pipeline.exec()) ?? []
    return Promise.all(
      replies.map(async ([error, reply], index) => {
        if (!error) return reply
        const call = calls[index]
        if (!isNoScriptError(error) || !call) throw error
        return this.run(redis, call.keys, call.args)
      }),
    )
  }

  /**
   * Loads the script ahead of the first call: on every master of a Cluster, once the Cluster has
   * its slot map (before that it knows no master). A master added or promoted later answers
   * NOSCRIPT once and is given the script by the EVAL fallback.
   */
  async load(redis: RedisClient): Promise<void> {
    if (redis.isCluster && redis.status !== 'ready')
      await new Promise<void>((resolve) => redis.once('ready', () => resolve()))
    const nodes = 'nodes' in redis ? redis.nodes('master') : [redis]
    await Promise.all(nodes.map((node) => node.script('LOAD', this.source)))
  }
}
