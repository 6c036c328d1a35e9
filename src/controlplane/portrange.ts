// PortRangeToMaskedPorts of pkg/policy/portrange.go (v1.16.15 7513067408:37-103; the same
// function in v1.18.3): a port range becomes the masked ports an LPM policy map can hold.
// Kept close to the Go code, which returns the ports in no particular order: callers sort.

export interface MaskedPort {
  readonly port: number;
  readonly mask: number;
}

const leadingZeros16 = (x: number): number => (x === 0 ? 16 : 15 - Math.floor(Math.log2(x & 0xffff)));

function trailingZeros16(x: number): number {
  if ((x & 0xffff) === 0) return 16;
  let n = 0;
  while (((x >> n) & 1) === 0) n++;
  return n;
}

/** maskedPort: the lowest `wildcardBits` bits wildcarded. */
function maskedPort(port: number, wildcardBits: number): MaskedPort {
  const mask = (0xffff << wildcardBits) & 0xffff;
  return { port: port & mask, mask };
}

export function portRangeToMaskedPorts(start: number, end: number): MaskedPort[] {
  if (start === 0 && (end === 0 || end === 0xffff)) return [{ port: 0, mask: 0 }];
  if (end <= start) return [{ port: start, mask: 0xffff }];
  const commonBits = leadingZeros16(start ^ end);
  const mask = 0xffff >> commonBits;
  if ((start & mask) === 0 && (~end & mask) === 0) return [maskedPort(start, 16 - commonBits)];
  const middleBit = 16 - 1 - commonBits;
  const middle = 1 << middleBit;
  const ports: MaskedPort[] = [];
  let bit = trailingZeros16(start | middle);
  ports.push(maskedPort(start, bit));
  for (bit++; bit < middleBit; bit++) {
    if ((start & (1 << bit)) === 0) ports.push(maskedPort(start + (1 << bit), bit));
  }
  bit = trailingZeros16((~end & 0xffff) | middle);
  ports.push(maskedPort(end, bit));
  for (bit++; bit < middleBit; bit++) {
    if ((end & (1 << bit)) !== 0) ports.push(maskedPort(end - (1 << bit), bit));
  }
  return ports;
}
