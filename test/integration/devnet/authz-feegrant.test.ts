import { SDL } from "@akashnetwork/chain-sdk";
import {
  DepositAuthorization,
  MsgAccountDeposit,
  Source,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  BasicAllowance,
  GenericAuthorization,
  MsgSend,
  PeriodicAllowance,
  SendAuthorization,
  TxRaw,
} from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { Registry } from "@cosmjs/proto-signing";
import { defaultRegistryTypes, SigningStargateClient } from "@cosmjs/stargate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import {
  DEPOSIT_AUTHORIZATION_MSG_TYPE_URL,
  decodeDepositAuthorization,
  depositAuthorizationAny,
} from "../../../src/services/akash/deposit-authorization.js";
import { createTenant, startTestDevnet, type Tenant, waitFor } from "../../support/devnet.js";
import { tenantSdl } from "../../support/devnet-sdl.js";

const BASIC_ALLOWANCE = "/cosmos.feegrant.v1beta1.BasicAllowance";
const PERIODIC_ALLOWANCE = "/cosmos.feegrant.v1beta1.PeriodicAllowance";
const MSG_SEND = "/cosmos.bank.v1beta1.MsgSend";
const fee = (uakt: number, granter?: string) => ({
  amount: [{ denom: "uakt", amount: String(uakt) }],
  gas: "300000",
  ...(granter ? { granter } : {}),
});

describe("devnet: authz deposit grants, MsgExec and fee grants as node v2.x does them", () => {
  let devnet: DevnetHandle;
  let parent: Tenant;
  let auditor: string;
  const clients: SigningStargateClient[] = [];
  const tenants: Tenant[] = [];

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1 });
    parent = await createTenant(devnet);
    tenants.push(parent);
    await devnet.fund(parent.address, 20_000_000n, "uact");
    auditor = (await parent.sdk.akash.audit.v1.getAllProvidersAttributes({})).providers[0]!.auditor;
  });

  afterAll(async () => {
    for (const client of clients) client.disconnect();
    for (const tenant of tenants) await tenant.tx.disconnect();
    await devnet?.stop();
  });

  const tenant = async (fundUakt?: bigint) => {
    const created = await createTenant(devnet, fundUakt);
    tenants.push(created);
    return created;
  };
  /** A plain cosmjs client (explicit fees, no simulation) that knows the escrow deposit message. */
  const cosmjsClient = async (who: Tenant) => {
    const registry = new Registry([
      ...defaultRegistryTypes,
      [`/${MsgAccountDeposit.$type}`, MsgAccountDeposit],
    ]);
    const client = await SigningStargateClient.connectWithSigner(devnet.rpc, who.wallet, {
      registry,
      broadcastPollIntervalMs: 50,
    });
    clients.push(client);
    return client;
  };
  const balanceOf = async (address: string, denom: string) =>
    BigInt((await parent.sdk.cosmos.bank.v1beta1.getBalance({ address, denom })).balance!.amount);
  const latestBlockTime = async () =>
    (await parent.sdk.cosmos.base.tendermint.v1beta1.getLatestBlock()).block!.header!.time!;
  const waitForBlockAfter = (time: Date) =>
    waitFor(
      async () => ((await latestBlockTime()).getTime() > time.getTime() ? true : undefined),
      15_000,
      `a block after ${time.toISOString()}`,
    );
  const depositGrant = async (child: Tenant) => {
    const grants = await parent.sdk.cosmos.authz.v1beta1.getGrants({
      granter: parent.address,
      grantee: child.address,
      msgTypeUrl: DEPOSIT_AUTHORIZATION_MSG_TYPE_URL,
    });
    return decodeDepositAuthorization(grants.grants[0]!.authorization!.value);
  };
  const grantDeposits = (child: Tenant, uact: bigint, expiration: Date) =>
    parent.sdk.cosmos.authz.v1beta1.grant({
      granter: parent.address,
      grantee: child.address,
      grant: {
        authorization: depositAuthorizationAny({
          scopes: ["deployment"],
          spendLimits: [{ denom: "uact", amount: uact }],
        }),
        expiration,
      },
    });
  const createChildDeployment = async (child: Tenant, uact: string) => {
    const sdl = SDL.fromString(tenantSdl({ auditor, image: "nginx:1.27" }), "beta3");
    const dseq = (
      await child.sdk.cosmos.base.tendermint.v1beta1.getLatestBlock()
    ).block!.header!.height.toString();
    await child.sdk.akash.deployment.v1beta4.createDeployment({
      id: { owner: child.address, dseq },
      groups: sdl.groups(),
      hash: await sdl.manifestVersion(),
      deposit: { amount: { denom: "uact", amount: uact }, sources: [Source.grant] },
    });
    return dseq;
  };

  it("refuses a DepositAuthorization that carries its limit in the deprecated spend_limit", async () => {
    const child = await tenant();
    await expect(
      parent.sdk.cosmos.authz.v1beta1.grant({
        granter: parent.address,
        grantee: child.address,
        grant: {
          authorization: {
            typeUrl: "/akash.escrow.v1.DepositAuthorization",
            value: DepositAuthorization.encode(
              DepositAuthorization.fromPartial({
                spendLimit: { denom: "uact", amount: "1000000" },
                scopes: [1],
              }),
            ).finish(),
          },
          expiration: new Date(Date.now() + 3600_000),
        },
      }),
    ).rejects.toThrow(/spend limit is deprecated and must be zero: invalid coins/);
    await expect(
      parent.sdk.cosmos.authz.v1beta1.grant({
        granter: parent.address,
        grantee: child.address,
        grant: {
          authorization: {
            typeUrl: "/akash.escrow.v1.DepositAuthorization",
            value: DepositAuthorization.encode(DepositAuthorization.fromPartial({ scopes: [] })).finish(),
          },
          expiration: new Date(Date.now() + 3600_000),
        },
      }),
    ).rejects.toThrow(/empty scope: invalid authz scope/);
  });

  it("draws a child's deposits from spend_limits up to the limit, refuses past it, and refunds into it", async () => {
    const child = await tenant();
    await grantDeposits(child, 1_000_000n, new Date(Date.now() + 3600_000));
    expect((await depositGrant(child)).spendLimits).toEqual([{ denom: "uact", amount: 1_000_000n }]);
    const parentBefore = await balanceOf(parent.address, "uact");

    const dseq = await createChildDeployment(child, "600000");
    const created = await child.sdk.akash.deployment.v1beta4.getDeployment({
      id: { owner: child.address, dseq },
    });
    expect(created.escrowAccount!.state!.deposits.map((d) => [d.owner, d.source, d.balance!.amount])).toEqual(
      [[parent.address, Source.grant, "600000"]],
    );
    expect((await depositGrant(child)).spendLimits).toEqual([{ denom: "uact", amount: 400_000n }]);
    expect(await balanceOf(parent.address, "uact")).toBe(parentBefore - 600_000n);
    expect(await balanceOf(child.address, "uact")).toBe(0n);

    const deposit = (amount: string) => ({
      typeUrl: `/${MsgAccountDeposit.$type}`,
      value: MsgAccountDeposit.fromPartial({
        signer: child.address,
        id: { scope: 1, xid: `${child.address}/${dseq}` },
        deposit: { amount: { denom: "uact", amount }, sources: [Source.grant] },
      }),
    });
    const client = await cosmjsClient(child);
    const past = await client.signAndBroadcast(child.address, [deposit("400001")], fee(8000));
    const pastResult = (await fetch(`${devnet.rpc}/tx?hash=0x${past.transactionHash}`).then((r) =>
      r.json(),
    )) as {
      result: { tx_result: { code: number; codespace: string } };
    };
    expect([pastResult.result.tx_result.code, pastResult.result.tx_result.codespace]).toEqual([
      1,
      "undefined",
    ]);
    expect(past.rawLog).toContain("deposit invalid: insufficient balance");
    expect((await depositGrant(child)).spendLimits).toEqual([{ denom: "uact", amount: 400_000n }]);

    const exact = await client.signAndBroadcast(child.address, [deposit("400000")], fee(8000));
    expect(exact.code).toBe(0);
    // The direct path keeps an exhausted grant, with no limits left.
    expect((await depositGrant(child)).spendLimits).toEqual([]);
    const more = await client.signAndBroadcast(child.address, [deposit("1")], fee(8000));
    expect(more.rawLog).toContain("deposit invalid: insufficient balance");
    expect(await balanceOf(parent.address, "uact")).toBe(parentBefore - 1_000_000n);

    await child.sdk.akash.deployment.v1beta4.closeDeployment({ id: { owner: child.address, dseq } });
    expect(await balanceOf(parent.address, "uact")).toBe(parentBefore);
    expect((await depositGrant(child)).spendLimits).toEqual([{ denom: "uact", amount: 1_000_000n }]);
  });

  it("overwrites a deposit grant on a second MsgGrant and stops drawing on it once it expires", async () => {
    const child = await tenant();
    await grantDeposits(child, 2_000_000n, new Date(Date.now() + 3600_000));
    const expiration = new Date((await latestBlockTime()).getTime() + 5000);
    await grantDeposits(child, 700_000n, expiration);
    expect((await depositGrant(child)).spendLimits).toEqual([{ denom: "uact", amount: 700_000n }]);
    await waitForBlockAfter(expiration);
    await expect(createChildDeployment(child, "600000")).rejects.toThrow(
      /deposit invalid: insufficient balance/,
    );
    const grants = await parent.sdk.cosmos.authz.v1beta1.getGranteeGrants({ grantee: child.address });
    expect(grants.grants).toEqual([]);
  });

  it("executes a MsgSend for the granter under a GenericAuthorization, and spends down a SendAuthorization", async () => {
    const child = await tenant();
    const send = (amount: string) => ({
      typeUrl: MSG_SEND,
      value: MsgSend.encode(
        MsgSend.fromPartial({
          fromAddress: parent.address,
          toAddress: child.address,
          amount: [{ denom: "uakt", amount }],
        }),
      ).finish(),
    });
    const exec = (amount: string) =>
      child.sdk.cosmos.authz.v1beta1.exec({ grantee: child.address, msgs: [send(amount)] });

    await expect(exec("1000")).rejects.toThrow(/authorization not found/);
    await parent.sdk.cosmos.authz.v1beta1.grant({
      granter: parent.address,
      grantee: child.address,
      grant: {
        authorization: {
          typeUrl: "/cosmos.authz.v1beta1.GenericAuthorization",
          value: GenericAuthorization.encode({ msg: MSG_SEND }).finish(),
        },
        expiration: new Date(Date.now() + 3600_000),
      },
    });
    const childBefore = await balanceOf(child.address, "uakt");
    const parentBefore = await balanceOf(parent.address, "uakt");
    await exec("1000");
    expect(await balanceOf(parent.address, "uakt")).toBe(parentBefore - 1000n);
    const childAfterGeneric = await balanceOf(child.address, "uakt");
    // The child received 1000uakt and paid its own fee for the MsgExec.
    expect(childAfterGeneric).toBeLessThan(childBefore + 1000n);

    await parent.sdk.cosmos.authz.v1beta1.grant({
      granter: parent.address,
      grantee: child.address,
      grant: {
        authorization: {
          typeUrl: "/cosmos.bank.v1beta1.SendAuthorization",
          value: SendAuthorization.encode(
            SendAuthorization.fromPartial({ spendLimit: [{ denom: "uakt", amount: "5000" }] }),
          ).finish(),
        },
        expiration: new Date(Date.now() + 3600_000),
      },
    });
    const sendGrant = async () => {
      const grants = await parent.sdk.cosmos.authz.v1beta1.getGrants({
        granter: parent.address,
        grantee: child.address,
        msgTypeUrl: MSG_SEND,
      });
      return SendAuthorization.decode(grants.grants[0]!.authorization!.value).spendLimit;
    };
    expect(await sendGrant()).toEqual([{ denom: "uakt", amount: "5000" }]);
    await exec("3000");
    expect(await sendGrant()).toEqual([{ denom: "uakt", amount: "2000" }]);
    await expect(exec("3000")).rejects.toThrow(/requested amount is more than spend limit/);
    await exec("2000");
    // Used up exactly: the MsgExec path deletes the grant.
    await expect(sendGrant()).rejects.toThrow(/authorization not found/);
  });

  it("pays a child's fees from the parent's BasicAllowance, within its limit only", async () => {
    const child = await tenant(0n);
    await parent.sdk.cosmos.feegrant.v1beta1.grantAllowance({
      granter: parent.address,
      grantee: child.address,
      allowance: {
        typeUrl: BASIC_ALLOWANCE,
        value: BasicAllowance.encode(
          BasicAllowance.fromPartial({ spendLimit: [{ denom: "uakt", amount: "25000" }] }),
        ).finish(),
      },
    });
    const allowanceLeft = async () => {
      const r = await parent.sdk.cosmos.feegrant.v1beta1.getAllowance({
        granter: parent.address,
        grantee: child.address,
      });
      return BasicAllowance.decode(r.allowance!.allowance!.value).spendLimit;
    };
    expect(await allowanceLeft()).toEqual([{ denom: "uakt", amount: "25000" }]);
    const listed = await parent.sdk.cosmos.feegrant.v1beta1.getAllowances({ grantee: child.address });
    expect(listed.allowances.map((a) => a.granter)).toEqual([parent.address]);

    const client = await cosmjsClient(child);
    const grantSomething = (n: number) => ({
      typeUrl: "/cosmos.authz.v1beta1.MsgGrant",
      value: {
        granter: child.address,
        grantee: parent.address,
        grant: {
          authorization: {
            typeUrl: "/cosmos.authz.v1beta1.GenericAuthorization",
            value: GenericAuthorization.encode({ msg: MSG_SEND }).finish(),
          },
          expiration: { seconds: BigInt(Math.floor(Date.now() / 1000) + 3600 + n), nanos: 0 },
        },
      },
    });
    await expect(client.signAndBroadcast(child.address, [grantSomething(0)], fee(10000))).rejects.toThrow(
      /insufficient funds/,
    );
    const parentBefore = await balanceOf(parent.address, "uakt");
    const first = await client.signAndBroadcast(
      child.address,
      [grantSomething(1)],
      fee(10000, parent.address),
    );
    expect(first.code).toBe(0);
    expect(first.events.find((e) => e.type === "use_feegrant")?.attributes).toEqual([
      { key: "granter", value: parent.address },
      { key: "grantee", value: child.address },
    ]);
    expect(await balanceOf(parent.address, "uakt")).toBe(parentBefore - 10000n);
    expect(await balanceOf(child.address, "uakt")).toBe(0n);
    expect(await allowanceLeft()).toEqual([{ denom: "uakt", amount: "15000" }]);

    // chain-sdk merges `fee.granter` into its simulated fee, as Console's managed signer does.
    await child.sdk.cosmos.authz.v1beta1.revoke(
      { granter: child.address, grantee: parent.address, msgTypeUrl: MSG_SEND },
      { fee: { granter: parent.address } },
    );
    const left = BigInt((await allowanceLeft())[0]!.amount);
    expect(left).toBeLessThan(15000n);
    await expect(
      client.signAndBroadcast(child.address, [grantSomething(2)], fee(Number(left) + 1, parent.address)),
    ).rejects.toThrow(/does not allow to pay fees for .*: basic allowance: fee limit exceeded/);
    expect(await balanceOf(child.address, "uakt")).toBe(0n);

    // CheckTx keeps what pending txs used: two txs that together exceed the allowance, sent back to back.
    const account = await client.getAccount(child.address);
    const signed = async (n: number, uakt: bigint) => {
      const raw = await client.sign(
        child.address,
        [grantSomething(10 + n)],
        { amount: [{ denom: "uakt", amount: uakt.toString() }], gas: "100000", granter: parent.address },
        "",
        { accountNumber: account!.accountNumber, sequence: account!.sequence + n, chainId: devnet.chainId },
      );
      return TxRaw.encode(TxRaw.fromPartial(raw)).finish();
    };
    const [firstTx, secondTx] = await Promise.all([signed(0, left - 2600n), signed(1, 2700n)]);
    const firstHash = await client.broadcastTxSync(firstTx);
    await expect(client.broadcastTxSync(secondTx)).rejects.toThrow(/basic allowance: fee limit exceeded/);
    await waitFor(() => client.getTx(firstHash).then((r) => r ?? undefined), 10_000, "the first tx");
    expect(await allowanceLeft()).toEqual([{ denom: "uakt", amount: "2600" }]);
  });

  it("caps fees per period with a PeriodicAllowance, and refuses fees once the allowance expired", async () => {
    const child = await tenant(0n);
    const now = await latestBlockTime();
    await parent.sdk.cosmos.feegrant.v1beta1.grantAllowance({
      granter: parent.address,
      grantee: child.address,
      allowance: {
        typeUrl: PERIODIC_ALLOWANCE,
        value: PeriodicAllowance.encode(
          PeriodicAllowance.fromPartial({
            basic: { spendLimit: [{ denom: "uakt", amount: "100000" }] },
            period: { seconds: 3600, nanos: 0 },
            periodSpendLimit: [{ denom: "uakt", amount: "15000" }],
            periodCanSpend: [{ denom: "uakt", amount: "15000" }],
            periodReset: new Date(now.getTime() + 3600_000),
          }),
        ).finish(),
      },
    });
    const client = await cosmjsClient(child);
    const selfSend = {
      typeUrl: MSG_SEND,
      value: {
        fromAddress: child.address,
        toAddress: parent.address,
        amount: [{ denom: "uakt", amount: "1" }],
      },
    };
    // The child holds no uakt, so the send itself fails in the message, after the granter paid the fee.
    const paid = await client.signAndBroadcast(child.address, [selfSend], fee(10000, parent.address));
    expect(paid.rawLog).toContain("insufficient funds");
    await expect(
      client.signAndBroadcast(child.address, [selfSend], fee(10000, parent.address)),
    ).rejects.toThrow(/period limit: fee limit exceeded/);

    await expect(
      parent.sdk.cosmos.feegrant.v1beta1.grantAllowance({
        granter: parent.address,
        grantee: child.address,
        allowance: {
          typeUrl: BASIC_ALLOWANCE,
          value: BasicAllowance.encode(BasicAllowance.fromPartial({})).finish(),
        },
      }),
    ).rejects.toThrow(/fee allowance already exists/);
    // Console refreshes a grant with revoke + grant in one tx; this one expires shortly.
    const expiration = new Date((await latestBlockTime()).getTime() + 5000);
    const refreshed = await parent.tx.signAndBroadcast([
      {
        typeUrl: "/cosmos.feegrant.v1beta1.MsgRevokeAllowance",
        value: { granter: parent.address, grantee: child.address },
      },
      {
        typeUrl: "/cosmos.feegrant.v1beta1.MsgGrantAllowance",
        value: {
          granter: parent.address,
          grantee: child.address,
          allowance: {
            typeUrl: BASIC_ALLOWANCE,
            value: BasicAllowance.encode(BasicAllowance.fromPartial({ expiration })).finish(),
          },
        },
      },
    ]);
    expect(refreshed.code).toBe(0);
    await waitForBlockAfter(expiration);
    await expect(
      client.signAndBroadcast(child.address, [selfSend], fee(10000, parent.address)),
    ).rejects.toThrow(/does not allow to pay fees for .*fee-grant not found: not found/);
    await expect(
      parent.sdk.cosmos.feegrant.v1beta1.getAllowance({ granter: parent.address, grantee: child.address }),
    ).rejects.toThrow(/fee-grant not found/);
  });
});
