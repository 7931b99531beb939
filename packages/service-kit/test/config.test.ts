import Fastify from 'fastify'
import { Type } from 'typebox'
import { describe, expect, it } from 'vitest'
import { baseConfigProperties, ConfigError, loadConfig, trustedProxies, trustProxyProperty } from '../src'

const Schema = Type.Object({
  ...baseConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  SECRET: Type.String({ minLength: 4 }),
})

describe('loadConfig', () => {
  it('applies defaults and converts numbers', () => {
    expect(loadConfig(Schema, { PORT: '8080', SECRET: 'abcd', UNRELATED: 'x' })).toEqual({
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      REDIS_URL: 'redis://127.0.0.1:6379',
      MAX_IN_FLIGHT: 256,
      MAX_QUEUED: 256,
      HTTP_HEADERS_TIMEOUT_MS: 10_000,
      HTTP_REQUEST_TIMEOUT_MS: 30_000,
      HTTP_KEEP_ALIVE_TIMEOUT_MS: 5_000,
      MAX_EVENT_LOOP_DELAY_MS: 500,
      PORT: 8080,
      SECRET: 'abcd',
    })
  })

  it('takes one Redis server or the seed nodes of a Redis Cluster as REDIS_URL', () => {
    const redisUrlOf = (REDIS_URL: string) => loadConfig(Schema, { SECRET: 'abcd', REDIS_URL }).REDIS_URL
    for (const url of [
      'redis://127.0.0.1:6379',
      'rediss://user:pass@cache.example:6380/2',
      'redis-cluster://127.0.0.1:7300',
      'redis-cluster://10.0.0.1:7000,10.0.0.2:7000,redis-3.internal:7001',
    ])
      expect(redisUrlOf(url)).toBe(url)
    for (const url of [
      'redis-cluster://127.0.0.1',
      'redis-cluster://127.0.0.1:7300,',
      'redis-cluster://a:1/0',
      'redis-cluster://',
      'redis://',
    ])
      expect(() => redisUrlOf(url), url).toThrow(/REDIS_URL/)
  })

  it('names every bad variable in one message', () => {
    const load = () => loadConfig(Schema, { PORT: 'eighty', REDIS_URL: 'http://x', LOG_LEVEL: 'loud' })
    expect(load).toThrow(ConfigError)
    try {
      load()
    } catch (error) {
      const message = (error as Error).message
      for (const name of ['PORT', 'REDIS_URL', 'LOG_LEVEL', 'SECRET']) expect(message).toContain(name)
    }
  })

  it('never repeats a bad value: it may be a secret, and the message goes to stderr', () => {
    const secret = 'postgres://shop:hunter2-secret@db:5432/shop'
    const load = () => loadConfig(Schema, { PORT: secret, SECRET: 'x', REDIS_URL: `ftp://${secret}` })
    expect(load).toThrow(ConfigError)
    try {
      load()
    } catch (error) {
      const message = (error as Error).message
      expect(message).toContain('PORT')
      expect(message).toContain('SECRET')
      expect(message).not.toContain('hunter2')
      expect(message).not.toMatch(/got "x"/)
    }
  })
})

describe('TRUST_PROXY', () => {
  const ProxySchema = Type.Object({ TRUST_PROXY: trustProxyProperty })
  const load = (value: string) => loadConfig(ProxySchema, { TRUST_PROXY: value }).TRUST_PROXY

  it('takes addresses, CIDRs and the named ranges, which Fastify accepts', () => {
    const value = load('172.16.0.0/12, 10.0.0.0/8,::1,loopback')
    expect(trustedProxies(value)).toEqual(['172.16.0.0/12', '10.0.0.0/8', '::1', 'loopback'])
    expect(() => Fastify({ trustProxy: trustedProxies(value) })).not.toThrow()
  })

  it('reads false as trusting no proxy, not as an address list Fastify throws on', () => {
    expect(() => Fastify({ trustProxy: ['false'] })).toThrow(/invalid IP address/)
    expect(trustedProxies(load('false'))).toBeUndefined()
    expect(trustedProxies(undefined)).toBeUndefined()
  })

  it('refuses anything else at boot, naming the variable', () => {
    for (const value of ['true', 'yes', '10.0.0.0/8,,10.1.0.0/16', 'proxy.example'])
      expect(() => load(value), value).toThrow(/TRUST_PROXY/)
  })
})
