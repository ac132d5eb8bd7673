import { Source } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { MsgCloseLease, MsgCreateLease } from "@akashnetwork/chain-sdk/private-types/akash.v1beta5";
import { MsgVote, TxRaw } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { toHex } from "@cosmjs/encoding";
import { DirectSecp256k1HdWallet, Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes, GasPrice, SigningStargateClient } from "@cosmjs/stargate";
import { sha256 } from "@noble/hashes/sha2.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { DEFAULT_PROVIDER_PROFILES } from "../../../src/devnet/index.js";
import { tenantSdl } from "../../../support/devnet-sdl.js";
import { createTenant, startTestDevnet, type Tenant, waitFor } from "../../support/devnet.js";
import { createDeployment, waitForBids } from "../../support/devnet-deployment.js";

const FEE = { amount: [{ denom: "uakt", amount: "5000" }], gas: "200000" };

describe("devnet: the node rejects what a real node rejects", () => {
  let devnet: DevnetHandle;
  let tenant: Tenant;
  let client: SigningStargateClient;

  beforeAll(async () => {
    devnet = await startTestDevnet({
      providers: [
        DEFAULT_PROVIDER_PROFILES[0]!,
        {
          ...DEFAULT_PROVIDER_PROFILES[2]!,
          name: "expensive",
          priceFactor: 100_000,
          extraAttributes: [{ key: "pricing", value: "expensive" }],
        },
      ],
    });
    tenant = await createTenant(devnet);
    const registry = new Registry([
      ...defaultRegistryTypes,
      [`/${MsgVote.$type}`, MsgVote],
      [`/${MsgCreateLease.$type}`, MsgCreateLease],
      [`/${MsgCloseLease.$type}`, MsgCloseLease],
    ]);
    client = await SigningStargateClient.connectWithSigner(devnet.rpc, tenant.wallet, {
      registry,
      broadcastPollIntervalMs: 50,
    });
  });

  afterAll(async () => {
    client?.disconnect();
    await tenant?.tx.disconnect();
    await devnet?.stop();
  });

  const send = (amount = "1") => ({
    typeUrl: "/cosmos.bank.v1beta1.MsgSend",
    value: {
      fromAddress: tenant.address,
      toAddress: devnet.providers[0]!.address,
      amount: [{ denom: "uakt", amount }],
    },
  });

  it("accepts what a node accepts: cosmjs sendTokens with fee auto, then getTx, searchTx and getBlock", async () => {
    const auto = await SigningStargateClient.connectWithSigner(devnet.rpc, tenant.wallet, {
      gasPrice: GasPrice.fromString("0.025uakt"),
      broadcastPollIntervalMs: 50,
    });
    const recipient = devnet.providers[0]!.address;
    const before = await auto.getBalance(recipient, "uakt");
    const result = await auto.sendTokens(
      tenant.address,
      recipient,
      [{ denom: "uakt", amount: "4321" }],
      "auto",
      "hello",
    );
    expect(result.code).toBe(0);
    expect(result.gasUsed).toBeLessThanOrEqual(result.gasWanted);
    expect(BigInt((await auto.getBalance(recipient, "uakt")).amount)).toBe(BigInt(before.amount) + 4321n);
    const tx = await auto.getTx(result.transactionHash);
    expect(tx?.height).toBe(result.height);
    const found = await auto.searchTx([{ key: "message.sender", value: tenant.address }]);
    expect(found.map((t) => t.hash)).toContain(result.transactionHash);
    const block = await auto.getBlock(result.height);
    expect(block.txs.map((t) => toHex(sha256(t)).toUpperCase())).toContain(result.transactionHash);
    expect(await auto.getChainId()).toBe(devnet.chainId);
    auto.disconnect();
  });

  it("rejects a tampered signature with code 4", async () => {
    const signed = await client.sign(tenant.address, [send()], FEE, "");
    const tampered = new Uint8Array(signed.signatures[0]!);
    tampered[10] = tampered[10]! ^ 0xff;
    const bytes = TxRaw.encode(TxRaw.fromPartial({ ...signed, signatures: [tampered] })).finish();
    await expect(client.broadcastTxSync(bytes)).rejects.toMatchObject({
      code: 4,
      log: expect.stringContaining("signature verification failed"),
    });
  });

  it("rejects a tx signed for another chain id with code 4", async () => {
    const account = (await client.getAccount(tenant.address))!;
    const signed = await client.sign(tenant.address, [send()], FEE, "", {
      accountNumber: account.accountNumber,
      sequence: account.sequence,
      chainId: "akash-other-1",
    });
    await expect(client.broadcastTxSync(TxRaw.encode(signed).finish())).rejects.toMatchObject({ code: 4 });
  });

  it("rejects a re-broadcast as a duplicate and a reused sequence with code 32", async () => {
    const account = (await client.getAccount(tenant.address))!;
    const signerData = {
      accountNumber: account.accountNumber,
      sequence: account.sequence,
      chainId: devnet.chainId,
    };
    const first = await client.sign(tenant.address, [send("2")], FEE, "", signerData);
    const again = await client.sign(tenant.address, [send("3")], FEE, "", signerData);
    const included = await client.broadcastTx(TxRaw.encode(first).finish(), 10_000, 50);
    expect(included.code).toBe(0);
    await expect(client.broadcastTxSync(TxRaw.encode(first).finish())).rejects.toThrow(
      /tx already exists in cache/,
    );
    await expect(client.broadcastTxSync(TxRaw.encode(again).finish())).rejects.toMatchObject({
      code: 32,
      log: `account sequence mismatch, expected ${account.sequence + 1}, got ${account.sequence}: incorrect account sequence`,
    });
  });

  it("rejects a message type the chain does not know with code 2", async () => {
    const vote = {
      typeUrl: `/${MsgVote.$type}`,
      value: MsgVote.fromPartial({ proposalId: "1", voter: tenant.address, option: 1 }),
    };
    const signed = await client.sign(tenant.address, [vote], FEE, "");
    await expect(client.broadcastTxSync(TxRaw.encode(signed).finish())).rejects.toMatchObject({
      code: 2,
      log: expect.stringContaining("unable to resolve type URL /cosmos.gov.v1beta1.MsgVote"),
    });
  });

  it("rejects a fee the account cannot pay with code 5", async () => {
    const poor = await DirectSecp256k1HdWallet.generate(12, { prefix: "akash" });
    const [poorAccount] = await poor.getAccounts();
    await devnet.fund(poorAccount!.address, 1000n);
    const poorClient = await SigningStargateClient.connectWithSigner(devnet.rpc, poor);
    const signed = await poorClient.sign(
      poorAccount!.address,
      [{ ...send(), value: { ...send().value, fromAddress: poorAccount!.address } }],
      FEE,
      "",
    );
    await expect(poorClient.broadcastTxSync(TxRaw.encode(signed).finish())).rejects.toMatchObject({
      code: 5,
      log: expect.stringContaining("insufficient funds"),
    });
    poorClient.disconnect();
  });

  it("rejects uakt pricing, a reused dseq and an underfunded deposit", async () => {
    await devnet.fund(tenant.address, 10_000_000n, "uact");
    const auditor = (await tenant.sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]!.auditor;
    const uaktPriced = tenantSdl({ auditor, image: "nginx:1.27" }).replace("denom: uact", "denom: uakt");
    await expect(createDeployment(tenant, uaktPriced)).rejects.toThrow(
      /invalid price|Mismatched denominations/,
    );

    const { dseq, sdl } = await createDeployment(tenant, tenantSdl({ auditor, image: "nginx:1.27" }));
    await expect(
      tenant.sdk.akash.deployment.v1beta4.createDeployment({
        id: { owner: tenant.address, dseq },
        groups: sdl.groups(),
        hash: await sdl.manifestVersion(),
        deposit: { amount: { denom: "uact", amount: "500000" }, sources: [Source.balance] },
      }),
    ).rejects.toThrow(/Deployment exists/);

    await expect(
      tenant.sdk.akash.escrow.v1.accountDeposit({
        signer: tenant.address,
        id: { scope: 1, xid: `${tenant.address}/${dseq}` },
        deposit: { amount: { denom: "uact", amount: "999000000000" }, sources: [Source.balance] },
      }),
    ).rejects.toThrow(/deposit invalid: insufficient balance/);
  });

  it("executes several messages in one tx: a lease created and closed in the same block stops paying", async () => {
    await devnet.fund(tenant.address, 10_000_000n, "uact");
    const auditor = (await tenant.sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]!.auditor;
    const { dseq } = await createDeployment(tenant, tenantSdl({ auditor, image: "nginx:1.27" }));
    const [bid] = await waitForBids(tenant, dseq, 1);
    const id = bid!.id!;
    const result = await client.signAndBroadcast(
      tenant.address,
      [
        { typeUrl: `/${MsgCreateLease.$type}`, value: MsgCreateLease.fromPartial({ bidId: id }) },
        { typeUrl: `/${MsgCloseLease.$type}`, value: MsgCloseLease.fromPartial({ id, reason: 1 }) },
      ],
      { amount: [{ denom: "uakt", amount: "10000" }], gas: "400000" },
    );
    expect(result.code).toBe(0);
    expect(result.msgResponses.map((r) => r.typeUrl)).toEqual([
      "/akash.market.v1beta5.MsgCreateLeaseResponse",
      "/akash.market.v1beta5.MsgCloseLeaseResponse",
    ]);
    const lease = await tenant.sdk.akash.market.v1beta5.getLease({ id });
    expect(lease.lease!.state).toBe(3);
    expect(lease.escrowPayment!.state!.state).toBe(2);
    const orders = await tenant.sdk.akash.market.v1beta5.getOrders({
      filters: { owner: tenant.address, dseq, state: "open" },
    });
    expect(orders.orders.map((o) => o.id!.oseq)).toEqual([2]);
  });

  it("closes the lease with insufficient_funds when the escrow account runs dry", async () => {
    const { dseq } = await createDeployment(
      tenant,
      tenantSdl({ attributes: { pricing: "expensive" }, image: "nginx:1.27", amount: 1_000_000 }),
      "500000",
    );
    const [bid] = await waitForBids(tenant, dseq, 1);
    expect(bid!.id!.provider).toBe(devnet.providers[1]!.address);
    await tenant.sdk.akash.market.v1beta5.createLease({ bidId: bid!.id! });
    const lease = await waitFor(
      async () => {
        const r = await tenant.sdk.akash.market.v1beta5.getLease({ id: bid!.id! });
        return r.lease!.state === 2 ? r : undefined;
      },
      15_000,
      "lease to run out of funds",
    );
    expect(lease.lease!.reason).toBe(20000);
    expect(lease.escrowPayment!.state!.state).toBe(3);
    const deployment = await tenant.sdk.akash.deployment.v1beta4.getDeployment({
      id: { owner: tenant.address, dseq },
    });
    expect(deployment.deployment!.state).toBe(2);
    expect(deployment.groups[0]!.state).toBe(3);
    expect(deployment.escrowAccount!.state!.state).toBe(3);
  });
});
