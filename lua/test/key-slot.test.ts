import { onRedisCluster, testRedisClient, uniqueId } from '@bookstore/test-kit'
import { describe, expect, it } from 'vitest'
import { keySlot } from '../src'

describe('keySlot (the Redis Cluster slot that pipelines are split by)', () => {
  it('is CRC16 of the key modulo 16384, as CLUSTER KEYSLOT answers', () => {
    expect(keySlot('123456789')).toBe(0x31c3)
    expect(keySlot('foo')).toBe(12182)
    expect(keySlot('somekey')).toBe(11058)
  })

  it('hashes only the hash tag when there is one, so all of a cart shares a slot', () => {
    expect(keySlot('cart:{user-1}')).toBe(keySlot('user-1'))
    expect(keySlot('cart:{user-1}:version')).toBe(keySlot('cart-events:{user-1}'))
    expect(keySlot('bull:{cart-persistence}:id')).toBe(keySlot('cart-persistence'))
    // An empty tag ({}) is no tag: the whole key is hashed.
    expect(keySlot('a{}b')).not.toBe(keySlot(''))
  })

  it.runIf(onRedisCluster())('agrees with the cluster on every kind of key', async () => {
    const redis = testRedisClient()
    try {
      const keys = ['a{}b', '{}', '{{x}}', 'x{y', 'plain', 'wide-ünïcode-{ключ}', 'cart:{user-42}']
      for (let index = 0; index < 50; index++) keys.push(`cart:{${uniqueId('user')}}`)
      for (const key of keys)
        expect(keySlot(key), key).toBe(Number(await redis.call('CLUSTER', 'KEYSLOT', key)))
    } finally {
      redis.disconnect()
    }
  })
})
