// Initial sequence numbers, timestamp offsets and the ephemeral port offset
// (net/core/secure_seq.c: secure_tcp_seq, secure_tcp_ts_off,
// secure_ipv4_port_ephemeral). The kernel hashes the 4-tuple (the
// address pair for the offset) with a random boot-time siphash key and adds
// the clock (ns >> 6) to the ISN; here a fixed hash stands for the keyed one,
// and the virtual clock for the real one, so a run replays. The numbers are
// therefore not the kernel's (they cannot be: its key is random); their shape is.

/** murmur3's finaliser: a fixed stand-in for the kernel's keyed siphash. */
export function fixedHash(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b) >>> 0;
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35) >>> 0;
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** secure_tcp_seq(saddr, daddr, sport, dport) at virtual time `clock` (µs): hash + ns >> 6. */
export function secureTcpSeq(source: number, destination: number, sourcePort: number, destinationPort: number, clock: number): number {
  const hash = fixedHash(fixedHash(fixedHash(source ^ 0x74637073) ^ destination) ^ ((sourcePort << 16) | destinationPort));
  return (hash + Math.floor((clock * 1000) / 64)) >>> 0;
}

/** secure_tcp_ts_off(saddr, daddr): what TS val adds to the ms clock for this address pair. */
export function secureTcpTsOff(source: number, destination: number): number {
  return fixedHash(fixedHash(source ^ 0x7473) ^ destination);
}

/** secure_ipv4_port_ephemeral(saddr, daddr, dport) as two 32-bit halves (the kernel's is one u64); `perturb` stands for net_hash_mix(). */
export function secureIpv4PortEphemeral(source: number, destination: number, destinationPort: number, perturb: number): { low: number; high: number } {
  const low = fixedHash(fixedHash(fixedHash(source ^ 0x6e657473) ^ destination) ^ (destinationPort + (perturb << 16)));
  return { low, high: fixedHash(low ^ 0x9e3779b9) };
}
