import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { startTestDevnet } from "../../support/devnet.js";
import { type AgentUnderTest, FAST, startAgent } from "./akash-test-kit.js";

const YEAR_MS = 365 * 24 * 3_600_000;

/**
 * The gateway client pins each provider to its on-chain certificate; once that certificate has
 * expired (the devnet's are valid for a year), the probe says so, and the failure policy moves the
 * lease (certificate_expired → migrate).
 */
describe("provider gateway: an expired provider certificate", () => {
  let devnet: DevnetHandle;
  let agent: AgentUnderTest;

  beforeAll(async () => {
    devnet = await startTestDevnet();
    agent = await startAgent(devnet);
  });
  afterAll(async () => {
    await agent.close();
    await devnet.stop();
  });

  it("is reported by the probe once the agent's clock is past the certificate's notAfter", async () => {
    const provider = devnet.providers[0]!;
    const probe = () =>
      agent.akash.gateway.probe({ provider: provider.address, hostUri: provider.hostUri, timeoutMs: 5_000 });

    const today = await probe();
    expect(today.ok).toBe(true);
    expect(today.certificateExpired).toBeUndefined();

    await agent.restart({ ...FAST, now: () => Date.now() + YEAR_MS + 86_400_000 });
    const nextYear = await probe();
    expect(nextYear).toMatchObject({ ok: false, certificateExpired: true });
  });
});
