import { SDL } from "@akashnetwork/chain-sdk";
import { Source } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import {
  decodeDepositAuthorization,
  depositAuthorizationAny,
} from "../../../src/services/akash/deposit-authorization.js";
import {
  createTenant,
  providerRequest,
  startTestDevnet,
  type Tenant,
  waitFor,
} from "../../support/devnet.js";
import { createDeployment, openLease, waitForBids } from "../../support/devnet-deployment.js";
import { tenantSdl } from "../../support/devnet-sdl.js";

const MSG_ACCOUNT_DEPOSIT = "/akash.escrow.v1.MsgAccountDeposit";

describe("devnet: deposits from grants, deployment updates, group controls", () => {
  let devnet: DevnetHandle;
  let parent: Tenant;
  let child: Tenant;
  let auditor: string;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 2, providerWithdrawalBlocks: 3 });
    [parent, child] = await Promise.all([createTenant(devnet), createTenant(devnet)]);
    await devnet.fund(parent.address, 20_000_000n, "uact");
    auditor = (await parent.sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]!.auditor;
  });

  afterAll(async () => {
    await parent?.tx.disconnect();
    await child?.tx.disconnect();
    await devnet?.stop();
  });

  const uactOf = async (address: string) =>
    BigInt((await parent.sdk.cosmos.bank.v1beta1.getBalance({ address, denom: "uact" })).balance!.amount);
  const spendLimit = async () => {
    const grants = await parent.sdk.cosmos.authz.v1beta1.getGrants({
      granter: parent.address,
      grantee: child.address,
      msgTypeUrl: MSG_ACCOUNT_DEPOSIT,
    });
    const limits = decodeDepositAuthorization(grants.grants[0]!.authorization!.value).spendLimits;
    return limits.map((l) => `${l.amount}${l.denom}`).join(",");
  };

  it("funds a child's deployment from a DepositAuthorization grant within its spend limit", async () => {
    await parent.sdk.cosmos.authz.v1beta1.grant({
      granter: parent.address,
      grantee: child.address,
      grant: {
        authorization: depositAuthorizationAny({
          scopes: ["deployment"],
          spendLimits: [{ denom: "uact", amount: 1_000_000n }],
        }),
        expiration: new Date(Date.now() + 3600_000),
      },
    });
    expect(await spendLimit()).toBe("1000000uact");
    const parentBefore = await uactOf(parent.address);

    const sdl = SDL.fromString(tenantSdl({ auditor, image: "nginx:1.27" }), "beta3");
    const dseq = (
      await child.sdk.cosmos.base.tendermint.v1beta1.getLatestBlock()
    ).block!.header!.height.toString();
    await child.sdk.akash.deployment.v1beta4.createDeployment({
      id: { owner: child.address, dseq },
      groups: sdl.groups(),
      hash: await sdl.manifestVersion(),
      deposit: { amount: { denom: "uact", amount: "600000" }, sources: [Source.grant] },
    });
    const created = await child.sdk.akash.deployment.v1beta4.getDeployment({
      id: { owner: child.address, dseq },
    });
    expect(created.escrowAccount!.state!.deposits.map((d) => [d.owner, d.source])).toEqual([
      [parent.address, Source.grant],
    ]);
    expect(await spendLimit()).toBe("400000uact");
    expect(await uactOf(parent.address)).toBe(parentBefore - 600_000n);
    expect(await uactOf(child.address)).toBe(0n);

    const topUp = (amount: string) =>
      child.sdk.akash.escrow.v1.accountDeposit({
        signer: child.address,
        id: { scope: 1, xid: `${child.address}/${dseq}` },
        deposit: { amount: { denom: "uact", amount }, sources: [Source.grant] },
      });
    await expect(topUp("500000")).rejects.toThrow(/insufficient balance/);
    await topUp("300000");
    expect(await spendLimit()).toBe("100000uact");

    await child.sdk.akash.deployment.v1beta4.closeDeployment({ id: { owner: child.address, dseq } });
    expect(await uactOf(parent.address)).toBe(parentBefore);
    expect(await spendLimit()).toBe("1000000uact");

    await parent.sdk.cosmos.authz.v1beta1.revoke({
      granter: parent.address,
      grantee: child.address,
      msgTypeUrl: MSG_ACCOUNT_DEPOSIT,
    });
    await expect(
      createDeployment(child, tenantSdl({ auditor, image: "nginx:1.27" }), "600000"),
    ).rejects.toThrow(/insufficient balance/);
  });

  it("updates a deployment's manifest hash only, and the provider takes the new manifest", async () => {
    const lease = await openLease(parent, tenantSdl({ auditor, image: "nginx:1.27" }));
    const id = { owner: parent.address, dseq: lease.dseq };
    await expect(
      parent.sdk.akash.deployment.v1beta4.updateDeployment({ id, hash: await lease.sdl.manifestVersion() }),
    ).rejects.toThrow(/Invalid: deployment hash/);
    const updated = SDL.fromString(tenantSdl({ auditor, image: "nginx:1.28" }), "beta3");
    await parent.sdk.akash.deployment.v1beta4.updateDeployment({ id, hash: await updated.manifestVersion() });
    const put = await providerRequest(lease.hostUri, `/deployment/${lease.dseq}/manifest`, {
      method: "PUT",
      token: lease.token,
      body: updated.manifestSortedJSON(),
      caPem: lease.caPem,
    });
    expect(put.status).toBe(200);
    const manifest = await providerRequest(lease.hostUri, `/lease/${lease.dseq}/1/1/manifest`, {
      token: lease.token,
      caPem: lease.caPem,
    });
    expect(JSON.parse(manifest.body)[0].services[0].image).toBe("nginx:1.28");
    const leases = await parent.sdk.akash.market.v1beta5.getLeases({
      filters: { owner: parent.address, dseq: lease.dseq, state: "active" },
    });
    expect(leases.leases).toHaveLength(1);
  });

  it("lets providers withdraw their lease earnings from escrow periodically", async () => {
    const lease = await openLease(parent, tenantSdl({ auditor, image: "nginx:1.27" }));
    const withdrawn = await waitFor(
      async () => {
        const r = await parent.sdk.akash.market.v1beta5.getLease({ id: lease.bidId });
        const amount = BigInt(r.escrowPayment!.state!.withdrawn!.amount);
        return amount > 0n ? amount : undefined;
      },
      10_000,
      "a periodic withdrawal",
    );
    expect(await uactOf(lease.bidId.provider)).toBeGreaterThanOrEqual(withdrawn);
    const account = await parent.sdk.akash.escrow.v1.getAccounts({
      xid: `${parent.address}/${lease.dseq}`,
      state: "open",
    });
    const transferred = Number(account.accounts[0]!.state!.transferred[0]!.amount);
    expect(transferred).toBeGreaterThanOrEqual(Number(withdrawn));
  });

  it("restarts a group the provider paused, which opens a new order", async () => {
    const lease = await openLease(parent, tenantSdl({ auditor, image: "nginx:1.27" }));
    await devnet.closeLease({ ...lease.bidId, dseq: lease.dseq });
    const groupId = { owner: parent.address, dseq: lease.dseq, gseq: 1 };
    expect((await parent.sdk.akash.deployment.v1beta4.getGroup({ id: groupId })).group!.state).toBe(2);
    const open = await parent.sdk.akash.market.v1beta5.getOrders({
      filters: { owner: parent.address, dseq: lease.dseq, state: "open" },
    });
    expect(open.orders).toEqual([]);
    await parent.sdk.akash.deployment.v1beta4.startGroup({ id: groupId });
    expect((await parent.sdk.akash.deployment.v1beta4.getGroup({ id: groupId })).group!.state).toBe(1);
    const bids = await waitForBids(parent, lease.dseq, 1, 2);
    expect(bids[0]!.id!.oseq).toBe(2);
    await parent.sdk.akash.deployment.v1beta4.closeGroup({ id: groupId });
    const orders = await parent.sdk.akash.market.v1beta5.getOrders({
      filters: { owner: parent.address, dseq: lease.dseq, state: "open" },
    });
    expect(orders.orders).toEqual([]);
  });
});
