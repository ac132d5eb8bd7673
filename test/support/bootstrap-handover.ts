import { expect } from "vitest";
import { spawnAgent } from "../../support/agent-process.js";
import { type HandoverJson, type RemoteStatus, remoteStatus } from "./deployed-agent-probes.js";
import { waitFor } from "./devnet.js";

/**
 * Runs a bootstrap with `run --until handed-over --json` on the devnet, expects it to hand over as
 * generation 1, and waits until the deployed agent leads that generation with an active lease.
 */
export async function bootstrapUntilHandedOver(o: {
  devnetControl: string;
  dataDir: string;
  mnemonic: string;
  settings: Record<string, string>;
}): Promise<{ handover: HandoverJson; leading: RemoteStatus }> {
  const boot = spawnAgent({
    devnetUrl: o.devnetControl,
    dataDir: o.dataDir,
    mnemonic: o.mnemonic,
    until: "handed-over",
    settings: o.settings,
  });
  const exit = await boot.exited;
  expect(exit.code, exit.otherStderr.join("\n")).toBe(0);
  const handover = JSON.parse(exit.stdout.trim()) as HandoverJson;
  expect(handover).toMatchObject({ state: "handed_over", generation: 1 });
  const leading = await waitFor(async () => {
    const status = await remoteStatus(handover.leader.uri).catch(() => undefined);
    return status?.leadership?.generation === 1 && status.state.startsWith("active") ? status : undefined;
  }, 30_000);
  return { handover, leading };
}
