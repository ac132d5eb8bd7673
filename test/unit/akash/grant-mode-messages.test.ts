import {
  DepositAuthorization,
  MsgAccountDeposit,
  Source,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import { MsgCreateDeployment } from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import {
  BasicAllowance,
  MsgGrant,
  MsgGrantAllowance,
  MsgRevoke,
  MsgRevokeAllowance,
} from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import type { EncodeObject } from "@cosmjs/proto-signing";
import { describe, expect, it } from "vitest";
import { EffectError } from "../../../src/domain/index.js";
import { AkashChainClient } from "../../../src/services/akash/akash-chain-client.js";
import { akashRegistry, encodeMessage } from "../../../src/services/akash/akash-messages.js";
import type { ChainMessage } from "../../../src/services/akash/akash-service.js";
import { classifyRejection } from "../../../src/services/akash/chain-failures.js";
import type { ChainQueries } from "../../../src/services/akash/chain-queries.js";
import { ChildGrantsClient } from "../../../src/services/akash/child-grants.js";
import { decodeDepositAuthorization } from "../../../src/services/akash/deposit-authorization.js";
import { spendableUnderGrants } from "../../../src/services/akash/grant-funded-balances.js";
import {
  depositGrantMessage,
  feeAllowanceMessages,
  revokeDepositGrantMessage,
  revokeFeeAllowanceMessage,
} from "../../../src/services/akash/grant-messages.js";
import type {
  DepositGrantState,
  FeeAllowanceState,
  GrantQueries,
} from "../../../src/services/akash/grant-queries.js";
import type { SigningClient } from "../../../src/services/akash/signing-client.js";
import type { TxExecutor, TxJob } from "../../../src/services/akash/tx-executor.js";
import { agentSdl } from "../../integration/akash/akash-test-kit.js";

const PARENT = "akash1k5w6yvn87n6fkftxc6aw4rxm5jsjn4syzy2npe";
const CHILD = "akash1zgnp96ukrgmge3m05cf9537zp8tlwgdzq4c9yj";
const EXPIRES = Date.UTC(2030, 0, 2, 3, 4, 5, 678);

const registry = akashRegistry();
/** The bytes a signed tx would carry for this message (the registry's encoding of its value). */
const bytesOf = (message: EncodeObject) => registry.encode(message);

describe("grant-mode messages of a child", () => {
  it("draws deposits from the grant in grant mode, and keeps the parent's own deposits byte-for-byte", async () => {
    const deposit: ChainMessage = { type: "deposit", dseq: "42", amountUact: "700000" };
    const own = await encodeMessage(CHILD, deposit);
    const granted = await encodeMessage(CHILD, deposit, "grant");
    expect(MsgAccountDeposit.decode(bytesOf(own)).deposit?.sources).toEqual([Source.balance]);
    expect(MsgAccountDeposit.decode(bytesOf(granted)).deposit?.sources).toEqual([Source.grant]);
    // The default is exactly what the agent signed before grant mode existed.
    const before = MsgAccountDeposit.fromPartial({
      signer: CHILD,
      id: { scope: 1, xid: `${CHILD}/42` },
      deposit: { amount: { denom: "uact", amount: "700000" }, sources: [Source.balance] },
    });
    expect(bytesOf(own)).toEqual(MsgAccountDeposit.encode(before).finish());
    expect(bytesOf(await encodeMessage(CHILD, deposit, "balance"))).toEqual(bytesOf(own));

    const sdl = await agentSdl(CHILD, "devnet-1");
    const create: ChainMessage = {
      type: "createDeployment",
      dseq: "43",
      sdlYaml: sdl.yaml,
      manifestVersion: sdl.manifestVersion,
      depositUact: "500000",
    };
    const created = MsgCreateDeployment.decode(bytesOf(await encodeMessage(CHILD, create, "grant")));
    expect(created.id?.owner).toBe(CHILD);
    expect(created.deposit).toEqual({ amount: { denom: "uact", amount: "500000" }, sources: [Source.grant] });
    const plain = MsgCreateDeployment.decode(bytesOf(await encodeMessage(CHILD, create)));
    expect(plain.deposit?.sources).toEqual([Source.balance]);
  });

  it("grants a DepositAuthorization with the limit in spend_limits (field 3), a zero legacy limit and whole-second expiry", () => {
    const message = depositGrantMessage({
      granter: PARENT,
      grantee: CHILD,
      limitUact: "50000000",
      expiresAt: EXPIRES,
    });
    expect(message.typeUrl).toBe("/cosmos.authz.v1beta1.MsgGrant");
    const decoded = MsgGrant.decode(bytesOf(message));
    expect([decoded.granter, decoded.grantee]).toEqual([PARENT, CHILD]);
    expect(decoded.grant?.expiration?.getTime()).toBe(EXPIRES - 678);
    const authorization = decoded.grant!.authorization!;
    expect(authorization.typeUrl).toBe("/akash.escrow.v1.DepositAuthorization");
    expect(decodeDepositAuthorization(authorization.value)).toEqual({
      scopes: ["deployment"],
      spendLimits: [{ denom: "uact", amount: 50_000_000n }],
    });
    expect(DepositAuthorization.decode(authorization.value).spendLimit).toEqual({
      denom: "uakt",
      amount: "0",
    });
  });

  it("grants a uakt BasicAllowance, revoking an existing one first in the same tx", () => {
    const input = { granter: PARENT, grantee: CHILD, limitUakt: "5000000", expiresAt: EXPIRES };
    const fresh = feeAllowanceMessages({ ...input, replacing: false });
    expect(fresh.map((m) => m.typeUrl)).toEqual(["/cosmos.feegrant.v1beta1.MsgGrantAllowance"]);
    const replacing = feeAllowanceMessages({ ...input, replacing: true });
    expect(replacing.map((m) => m.typeUrl)).toEqual([
      "/cosmos.feegrant.v1beta1.MsgRevokeAllowance",
      "/cosmos.feegrant.v1beta1.MsgGrantAllowance",
    ]);
    const grant = MsgGrantAllowance.decode(bytesOf(replacing[1]!));
    expect(grant.allowance?.typeUrl).toBe("/cosmos.feegrant.v1beta1.BasicAllowance");
    const allowance = BasicAllowance.decode(grant.allowance!.value);
    expect(allowance.spendLimit).toEqual([{ denom: "uakt", amount: "5000000" }]);
    expect(allowance.expiration?.getTime()).toBe(EXPIRES - 678);
    expect(MsgRevokeAllowance.decode(bytesOf(replacing[0]!))).toMatchObject({
      granter: PARENT,
      grantee: CHILD,
    });
  });

  it("revokes the deposit grant by its msg type and the allowance by granter and grantee", () => {
    const revoke = MsgRevoke.decode(bytesOf(revokeDepositGrantMessage({ granter: PARENT, grantee: CHILD })));
    expect(revoke).toMatchObject({
      granter: PARENT,
      grantee: CHILD,
      msgTypeUrl: "/akash.escrow.v1.MsgAccountDeposit",
    });
    const message = revokeFeeAllowanceMessage({ granter: PARENT, grantee: CHILD });
    expect(message.typeUrl).toBe("/cosmos.feegrant.v1beta1.MsgRevokeAllowance");
  });

  it("counts what a child can spend: the lesser of the grant and the parent's ACT, its own AKT plus the allowance", () => {
    const own = { uakt: "1000", uact: "999999" };
    const parent = { uakt: "7000000", uact: "3000000" };
    const deposit = (remainingUact: string): DepositGrantState => ({ remainingUact, expiresAt: EXPIRES });
    const fee = (remainingUakt: string | null): FeeAllowanceState => ({ remainingUakt, expiresAt: EXPIRES });
    expect(spendableUnderGrants({ own, parent, deposit: deposit("2000000"), fee: fee("5000000") })).toEqual({
      uact: "2000000",
      uakt: "5001000",
    });
    // The parent holds less than the grant allows: a deposit past it fails on chain (sdk 5).
    expect(spendableUnderGrants({ own, parent, deposit: deposit("9000000"), fee: fee("9000000") })).toEqual({
      uact: "3000000",
      uakt: "7001000",
    });
    // No grants (revoked, expired): only its own AKT; its own ACT is never drawn (sources=[grant]).
    expect(spendableUnderGrants({ own, parent, deposit: null, fee: null })).toEqual({
      uact: "0",
      uakt: "1000",
    });
    expect(spendableUnderGrants({ own, parent, deposit: null, fee: fee(null) }).uakt).toBe("7001000");
  });
});

describe("a grant-funded chain client", () => {
  const client = new AkashChainClient({
    chainId: "devnet-1",
    owner: CHILD,
    queries: {} as ChainQueries,
    signer: {} as SigningClient,
    executor: {
      run: () => Promise.reject(new Error("no transaction may be sent")),
    } as unknown as TxExecutor,
    grantFunding: { parent: PARENT, grants: {} as GrantQueries },
  });

  it("refuses to mint ACT, alone or in a batch, before anything is sent", async () => {
    expect(client.fundedBy).toBe(PARENT);
    const alone = await client.mintAct({ key: "m", amountUakt: "1000" }).catch((e: unknown) => e);
    expect(alone).toBeInstanceOf(EffectError);
    expect((alone as EffectError).kind).toBe("fatal");
    expect((alone as EffectError).message).toMatch(
      /a child is funded by its parent's grant \(from akash1k5w6.*\) and cannot mint ACT/,
    );
    await expect(
      client.submit({
        key: "b",
        messages: [
          { type: "mintAct", amountUakt: "1000" },
          { type: "deposit", dseq: "1", amountUact: "1" },
        ],
      }),
    ).rejects.toThrow(/cannot mint ACT/);
  });
});

describe("the parent's grant transaction, built from what the chain shows", () => {
  const later = EXPIRES + 86_400_000;
  function grantsClient(state: { deposit: DepositGrantState | null; fee: FeeAllowanceState | null }) {
    const jobs: TxJob[] = [];
    const client = new ChildGrantsClient({
      granter: PARENT,
      now: () => Date.UTC(2029, 0, 1),
      grants: {
        depositGrant: async () => state.deposit,
        feeAllowance: async () => state.fee,
      } as unknown as GrantQueries,
      executor: {
        run: async (job: TxJob) => {
          jobs.push(job);
          return { alreadyDone: true, txHash: null };
        },
      } as unknown as TxExecutor,
    });
    return { client, jobs };
  }
  const request = { key: "k", child: CHILD, limitUact: "1000", feeLimitUakt: "2000", expiresAt: EXPIRES };
  const typesOf = async (job: TxJob | undefined) => (await job!.messages()).map((m) => m.typeUrl);

  it("sends both grants when neither is there", async () => {
    const { client, jobs } = grantsClient({ deposit: null, fee: null });
    await client.grantChildBudget(request);
    expect(jobs[0]?.kind).toBe("child_grant");
    expect(jobs[0]?.payload).toEqual({
      child: CHILD,
      limitUact: "1000",
      feeLimitUakt: "2000",
      expiresAt: EXPIRES,
    });
    expect(await jobs[0]!.effectHolds()).toBe(false);
    expect(await typesOf(jobs[0])).toEqual([
      "/cosmos.authz.v1beta1.MsgGrant",
      "/cosmos.feegrant.v1beta1.MsgGrantAllowance",
    ]);
  });

  it("keeps a deposit grant that lasts long enough (re-granting would reset what the child spent) and replaces a shorter allowance", async () => {
    const { client, jobs } = grantsClient({
      deposit: { remainingUact: "10", expiresAt: later },
      fee: { remainingUakt: "5", expiresAt: EXPIRES - 5000 },
    });
    await client.grantChildBudget(request);
    expect(await jobs[0]!.effectHolds()).toBe(false);
    expect(await typesOf(jobs[0])).toEqual([
      "/cosmos.feegrant.v1beta1.MsgRevokeAllowance",
      "/cosmos.feegrant.v1beta1.MsgGrantAllowance",
    ]);
  });

  it("counts the grants as given when both last until the expiry asked for (to the second)", async () => {
    const { client, jobs } = grantsClient({
      deposit: { remainingUact: "0", expiresAt: EXPIRES - 678 },
      fee: { remainingUakt: "1", expiresAt: null },
    });
    await client.grantChildBudget(request);
    expect(await jobs[0]!.effectHolds()).toBe(true);
    expect(await typesOf(jobs[0])).toEqual([]);
  });

  it("revokes only what is there", async () => {
    const onlyFee = grantsClient({ deposit: null, fee: { remainingUakt: "1", expiresAt: EXPIRES } });
    await onlyFee.client.revokeChildGrants({ key: "r", child: CHILD });
    expect(onlyFee.jobs[0]?.kind).toBe("child_revoke");
    expect(await onlyFee.jobs[0]!.effectHolds()).toBe(false);
    expect(await typesOf(onlyFee.jobs[0])).toEqual(["/cosmos.feegrant.v1beta1.MsgRevokeAllowance"]);
    const none = grantsClient({ deposit: null, fee: null });
    await none.client.revokeChildGrants({ key: "r", child: CHILD });
    expect(await none.jobs[0]!.effectHolds()).toBe(true);
  });
});

describe("a child's fee the parent's allowance no longer pays", () => {
  it("is insufficient funds: the allowance is gone, used up or expired (texts as the ante handler reports them)", () => {
    const prefix = `${PARENT} does not allow to pay fees for ${CHILD}`;
    expect(
      classifyRejection({ codespace: "sdk", code: 38, log: `${prefix}: fee-grant not found: not found` }),
    ).toBe("insufficient_funds");
    expect(
      classifyRejection({
        codespace: "feegrant",
        code: 2,
        log: `${prefix}: basic allowance: fee limit exceeded`,
      }),
    ).toBe("insufficient_funds");
    expect(
      classifyRejection({ codespace: "feegrant", code: 3, log: `${prefix}: fee allowance expired` }),
    ).toBe("insufficient_funds");
    expect(classifyRejection({ codespace: "sdk", code: 38, log: "key not found" })).toBe("fatal");
  });
});
