/**
 * The Redis Cluster slot of a key (CRC16/XMODEM of the key, or of its hash tag: the part between
 * the first `{` and the next `}` when that part is not empty), as in the cluster specification.
 */
export function keySlot(key: string): number {
  const open = key.indexOf('{')
  let hashed = key
  if (open !== -1) {
    const close = key.indexOf('}', open + 1)
    if (close > open + 1) hashed = key.slice(open + 1, close)
  }
  let crc = 0
  for (const byte of Buffer.from(hashed, 'utf8')) {
    crc ^= byte << 8
    for (let bit = 0; bit < 8; bit++)
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff
  }
  return crc % 16384
}
