/**
 * RADIUS Identifiers for a client (RFC 2865 §3, RFC 5080 §2.2.2): one byte per request, unique among the
 * requests outstanding to one peer (address and port), taken round-robin so a late reply to an old
 * request is not mistaken for a new one. Shared by the Access/Accounting client (client.ts) and the
 * Disconnect/CoA client (das-client.ts), whose outstanding requests are keyed `${peer}|${id}`.
 *
 * @example
 *   const allocate = identifierAllocator(pending);
 *   const id = allocate('10.5.0.1|1812'); // null when 256 are outstanding to that peer
 */
export function identifierAllocator(outstanding: { has(key: string): boolean }): (peer: string) => number | null {
  const nextId = new Map<string, number>();
  return (peer) => {
    const start = nextId.get(peer) ?? 0;
    for (let i = 0; i < 256; i++) {
      const id = (start + i) & 0xff;
      if (!outstanding.has(`${peer}|${id}`)) {
        nextId.set(peer, (id + 1) & 0xff);
        return id;
      }
    }
    return null;
  };
}
