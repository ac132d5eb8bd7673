import * as dnsPacket from "dns-packet";
import type { IngressZone } from "./ingress-zone.js";

const RCODE = { noError: 0, formErr: 1, nxDomain: 3, notImp: 4, refused: 5 } as const;
const OPCODE_QUERY = 0;
// Zero so that a resolver's cache never hides a fault switched on or off a moment ago.
const TTL_SECONDS = 0;

type Rcode = (typeof RCODE)[keyof typeof RCODE];

function reply(
  query: dnsPacket.DecodedPacket,
  rcode: Rcode,
  options: { authoritative?: boolean; answers?: dnsPacket.Answer[] } = {},
): Buffer {
  const flags =
    ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) |
    (options.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
    rcode;
  return dnsPacket.encode({
    type: "response",
    id: query.id ?? 0,
    flags,
    questions: query.questions ?? [],
    answers: options.answers ?? [],
  });
}

/**
 * Answers one DNS message from the zone (RFC 1035 wire format): A records for names that exist, an empty
 * NOERROR for their other types, NXDOMAIN inside the zone, REFUSED outside it. Returns null for what is
 * not a query at all (nothing to answer to).
 */
export function answerQuery(message: Buffer, zone: IngressZone): Buffer | null {
  let query: dnsPacket.DecodedPacket;
  try {
    query = dnsPacket.decode(message);
  } catch {
    return null;
  }
  if (query.type !== "query") return null;
  const opcode = ((query.flags ?? 0) >> 11) & 0xf;
  if (opcode !== OPCODE_QUERY) return reply(query, RCODE.notImp);
  const [question, ...more] = query.questions ?? [];
  if (!question || more.length > 0) return reply(query, RCODE.formErr);
  if (question.class !== "IN") return reply(query, RCODE.refused);
  const found = zone.lookup(question.name);
  if (found.kind === "refused") return reply(query, RCODE.refused);
  if (found.kind === "nxdomain") return reply(query, RCODE.nxDomain, { authoritative: true });
  const answers: dnsPacket.Answer[] =
    question.type === "A"
      ? [{ type: "A", class: "IN", name: question.name, ttl: TTL_SECONDS, data: found.ip }]
      : [];
  return reply(query, RCODE.noError, { authoritative: true, answers });
}
