import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SDL } from "@akashnetwork/chain-sdk";
import { Source } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { depositAuthorizationAny } from "../../../src/services/akash/deposit-authorization.js";
import { openAgentStore } from "../../../src/services/store/index.js";
import { tenantSdl } from "../../../support/devnet-sdl.js";
import { runCli } from "../../../support/run-cli.js";
import { createTenant, startTestDevnet, type Tenant } from "../../support/devnet.js";

const LIMIT_UACT = 10_000_000n;
const DEPOSIT_UACT = 3_000_000n;

describe("devnet: akash-agent family reads what each child spent from its deposit grant on chain", () => {
  let devnet: DevnetHandle;
  const tenants: Tenant[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1 });
  });

  afterAll(async () => {
    for (const tenant of tenants) await tenant.tx.disconnect();
    await devnet?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  const tenant = async () => {
    const created = await createTenant(devnet);
    tenants.push(created);
    return created;
  };
  const grantDeposits = (granter: Tenant, grantee: string, uact: bigint, expiration: Date) =>
    granter.sdk.cosmos.authz.v1beta1.grant({
      granter: granter.address,
      grantee,
      grant: {
        authorization: depositAuthorizationAny({
          scopes: ["deployment"],
          spendLimits: [{ denom: "uact", amount: uact }],
        }),
        expiration,
      },
    });

  it("spentUact = the registry's limit − what the parent's grant has left; another granter's grant is not counted", async () => {
    const parent = await tenant();
    const stranger = await tenant();
    const child = await tenant();
    await devnet.fund(parent.address, 20_000_000n, "uact");
    await devnet.fund(stranger.address, 20_000_000n, "uact");
    const expiration = new Date(Date.now() + 86_400_000);
    await grantDeposits(parent, child.address, LIMIT_UACT, expiration);

    // The child deploys from its own account; the deposit draws on the grants (sources = [grant]).
    const auditor = (await child.sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]!.auditor;
    const sdl = SDL.fromString(tenantSdl({ auditor, image: "nginx:1.27" }), "beta3");
    const dseq = (
      await child.sdk.cosmos.base.tendermint.v1beta1.getLatestBlock()
    ).block!.header!.height.toString();
    const parentUactBefore = await uactOf(parent);
    await child.sdk.akash.deployment.v1beta4.createDeployment({
      id: { owner: child.address, dseq },
      groups: sdl.groups(),
      hash: await sdl.manifestVersion(),
      deposit: { amount: { denom: "uact", amount: DEPOSIT_UACT.toString() }, sources: [Source.grant] },
    });
    expect(parentUactBefore - (await uactOf(parent))).toBe(DEPOSIT_UACT);
    // Another account's grant to the same child, made after the deposit: not the parent's budget.
    await grantDeposits(stranger, child.address, 7_000_000n, new Date(Date.now() + 3_600_000));

    const dataDir = mkdtempSync(join(tmpdir(), "family-devnet-"));
    dirs.push(dataDir);
    const store = openAgentStore({ dataDir });
    // The parent's identity as the agent saves it: the granter the command reads the grants of.
    store.snapshots.append({
      machineId: "agent",
      machineVersion: "test",
      snapshotJson: JSON.stringify({
        value: "operating",
        context: { loaded: { identity: { akash: parent.address } } },
      }),
    });
    store.children.register({
      index: 0,
      id: "agent-00000000000000000000000000000001",
      addresses: { akash: child.address, nostr: "npub1child" },
      role: "replica",
      state: "active",
    });
    store.children.setBudget("agent-00000000000000000000000000000001", {
      limitUact: LIMIT_UACT.toString(),
      feeLimitUakt: "5000000",
      expiresAt: expiration.getTime(),
    });
    store.children.recordLease("agent-00000000000000000000000000000001", {
      dseq,
      provider: "akash1p",
      generation: 0,
    });
    store.close();

    const result = await runCli(["family", "--data", dataDir, "--devnet-url", devnet.control, "--json"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const [view] = (JSON.parse(result.stdout) as { children: { budget: Record<string, unknown> }[] })
      .children;
    expect(view!.budget).toEqual({
      limitUact: LIMIT_UACT.toString(),
      spentUact: DEPOSIT_UACT.toString(),
      expiresAt: expiration.toISOString(),
    });

    // Without the devnet's URL the chain cannot be read: spentUact is null and stderr says why.
    const offline = await runCli(["family", "--data", dataDir, "--json"]);
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout).children[0].budget.spentUact).toBeNull();
    expect(offline.stderr).toMatch(/cannot read the grants on chain/);
  });

  const uactOf = async (who: Tenant) =>
    BigInt(
      (await who.sdk.cosmos.bank.v1beta1.getBalance({ address: who.address, denom: "uact" })).balance!.amount,
    );
});
