import { finalizeEvent, generateSecretKey } from "nostr-tools/pure";
import { describe, expect, it } from "vitest";
import { type Heartbeat, heartbeatTemplate, parseHeartbeat } from "../../../../src/services/nostr/index.js";

const secret = generateSecretKey();
const base: Heartbeat = {
  agentId: "agent-1",
  generation: 2,
  leaseState: "active.monitoring",
  provider: "akash1provider",
  runwayDays: 3.5,
  relayUri: "ws://127.0.0.1:30000",
  at: "2026-12-01T00:00:00.000Z",
};

/** A correctly signed heartbeat whose content is `content` as given (any JSON, not only a Heartbeat). */
function signed(content: Record<string, unknown>) {
  const template = heartbeatTemplate(base, 1_800_000_000);
  return finalizeEvent({ ...template, content: JSON.stringify(content) }, secret);
}

describe("a heartbeat's version", () => {
  it("is read when well formed, and written by heartbeatTemplate", () => {
    const version = { package: "0.2.0", image: "ghcr.io/akash-agent/agent-relay:0.2.0" };
    const event = finalizeEvent(heartbeatTemplate({ ...base, version }, 1_800_000_000), secret);
    expect(JSON.parse(event.content)).toMatchObject({ version });
    expect(parseHeartbeat(event)).toMatchObject({ ...base, version });
  });

  it("is undefined in an older agent's heartbeat, which still parses", () => {
    const parsed = parseHeartbeat(signed({ ...base }));
    expect(parsed).toMatchObject(base);
    expect(parsed?.version).toBeUndefined();
  });

  it("is ignored when malformed, never failing the heartbeat or throwing", () => {
    for (const version of [
      null,
      "0.2.0",
      42,
      [],
      {},
      { package: "0.2.0" },
      { image: "x:1" },
      { package: 2, image: "x:1" },
      { package: "", image: "x:1" },
      { package: "0.2.0", image: null },
    ]) {
      const parsed = parseHeartbeat(signed({ ...base, version }));
      expect(parsed, JSON.stringify(version)).toMatchObject(base);
      expect(parsed?.version, JSON.stringify(version)).toBeUndefined();
    }
  });

  it("does not rescue a heartbeat whose other fields are wrong", () => {
    const version = { package: "0.2.0", image: "x:1" };
    expect(parseHeartbeat(signed({ ...base, generation: -1, version }))).toBeNull();
  });
});
