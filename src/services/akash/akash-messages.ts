import {
  LeaseClosedReason,
  MsgAccountDeposit,
  MsgBurnACT,
  MsgMintACT,
  Scope,
  Source,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  MsgCloseDeployment,
  MsgCreateDeployment,
  MsgStartGroup,
} from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import { MsgCloseLease, MsgCreateLease } from "@akashnetwork/chain-sdk/private-types/akash.v1beta5";
import {
  MsgGrant,
  MsgGrantAllowance,
  MsgRevoke,
  MsgRevokeAllowance,
  MsgSend,
} from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { type EncodeObject, type GeneratedType, Registry } from "@cosmjs/proto-signing";
import { EffectError } from "../../domain/effect-failure.js";
import type { JsonValue } from "../store/index.js";
import type { ChainMessage } from "./akash-service.js";
import type { LeaseKey } from "./akash-types.js";
import { readSdl } from "./sdl-manifest.js";

const MESSAGE_TYPES: readonly (GeneratedType & { $type: string })[] = [
  MsgCreateDeployment,
  MsgCloseDeployment,
  MsgCreateLease,
  MsgCloseLease,
  MsgStartGroup,
  MsgAccountDeposit,
  MsgMintACT,
  MsgBurnACT,
  MsgSend,
  // A parent's grants to its children (child-grants.ts).
  MsgGrant,
  MsgRevoke,
  MsgGrantAllowance,
  MsgRevokeAllowance,
];

/** The cosmjs registry of the Akash messages the agent signs (chain-sdk's own codecs). */
export function akashRegistry(): Registry {
  return new Registry(MESSAGE_TYPES.map((type) => [`/${type.$type}`, type] as [string, GeneratedType]));
}

/** The intent kind of each message (the store's `kind` column; a batch joins them with "+"). */
const INTENT_KINDS: Record<ChainMessage["type"], string> = {
  createDeployment: "create_deployment",
  closeDeployment: "close_deployment",
  createLease: "create_lease",
  closeLease: "close_lease",
  startGroup: "start_group",
  deposit: "escrow_deposit",
  mintAct: "mint_act",
  burnAct: "burn_act",
  send: "bank_send",
};

export function intentKindOf(messages: readonly ChainMessage[]): string {
  return messages.map((m) => INTENT_KINDS[m.type]).join("+");
}

const leaseJson = (lease: LeaseKey) => ({
  dseq: lease.dseq,
  gseq: lease.gseq,
  oseq: lease.oseq,
  provider: lease.provider,
});

/** What the store keeps about a message: enough to look it up after a crash, never the SDL (it holds secrets). */
export function intentPayloadOf(message: ChainMessage): JsonValue {
  switch (message.type) {
    case "createDeployment":
      return {
        type: message.type,
        dseq: message.dseq,
        manifestVersion: message.manifestVersion,
        depositUact: message.depositUact,
      };
    case "closeDeployment":
      return { type: message.type, dseq: message.dseq };
    case "createLease":
      return { type: message.type, bid: leaseJson(message.bid) };
    case "closeLease":
      return { type: message.type, lease: leaseJson(message.lease) };
    case "startGroup":
      return { type: message.type, dseq: message.dseq, gseq: message.gseq };
    case "deposit":
      return { type: message.type, dseq: message.dseq, amountUact: message.amountUact };
    case "mintAct":
      return { type: message.type, amountUakt: message.amountUakt };
    case "burnAct":
      return { type: message.type, amountUact: message.amountUact };
    case "send":
      return { type: message.type, toAddress: message.toAddress, amountUakt: message.amountUakt };
  }
}

const AMOUNT = /^[1-9]\d*$/;
const DSEQ = /^[1-9]\d*$/;

function requireAmount(field: string, value: string): void {
  if (!AMOUNT.test(value)) {
    throw new EffectError("fatal", `${field} must be a positive whole number of micro-units, got "${value}"`);
  }
}

function requireDseq(value: string): void {
  if (!DSEQ.test(value)) throw new EffectError("fatal", `dseq must be a positive integer, got "${value}"`);
}

/**
 * Checks a message without I/O beyond reading the SDL: amounts, dseq, and for a deployment that the
 * manifest version computed from the SDL is the one requested (a drift after a restart is fatal).
 */
export async function validateMessage(message: ChainMessage): Promise<void> {
  switch (message.type) {
    case "createDeployment": {
      requireDseq(message.dseq);
      requireAmount("depositUact", message.depositUact);
      const { manifestVersion } = await readSdl(message.sdlYaml);
      if (manifestVersion !== message.manifestVersion.toLowerCase()) {
        throw new EffectError(
          "fatal",
          `manifest version mismatch for dseq ${message.dseq}: the SDL gives ${manifestVersion}, the request says ${message.manifestVersion}`,
        );
      }
      return;
    }
    case "closeDeployment":
      requireDseq(message.dseq);
      return;
    case "createLease":
      requireDseq(message.bid.dseq);
      return;
    case "closeLease":
      requireDseq(message.lease.dseq);
      return;
    case "startGroup":
      requireDseq(message.dseq);
      if (!Number.isInteger(message.gseq) || message.gseq < 1) {
        throw new EffectError("fatal", `gseq must be a positive integer, got ${message.gseq}`);
      }
      return;
    case "deposit":
      requireDseq(message.dseq);
      requireAmount("amountUact", message.amountUact);
      return;
    case "mintAct":
      requireAmount("amountUakt", message.amountUakt);
      return;
    case "burnAct":
      requireAmount("amountUact", message.amountUact);
      return;
    case "send":
      if (!/^akash1[02-9ac-hj-np-z]{38,58}$/.test(message.toAddress)) {
        throw new EffectError("fatal", `toAddress must be an akash1… address, got "${message.toAddress}"`);
      }
      requireAmount("amountUakt", message.amountUakt);
      return;
  }
}

const leaseIdOf = (owner: string, lease: LeaseKey) => ({
  owner,
  dseq: lease.dseq,
  gseq: lease.gseq,
  oseq: lease.oseq,
  provider: lease.provider,
  bseq: 0,
});

/**
 * Where escrow deposits are drawn from: the owner's own `balance`, or (a child) the authz deposit
 * grants given to the owner (`reference/akash-authz-facts.md` §2, §3: the child signs its own message).
 */
export type DepositSource = "balance" | "grant";

const SOURCES: Readonly<Record<DepositSource, Source>> = { balance: Source.balance, grant: Source.grant };

/** The signed form of a message, from `owner` (the agent's account). */
export async function encodeMessage(
  owner: string,
  message: ChainMessage,
  depositSource: DepositSource = "balance",
): Promise<EncodeObject> {
  const sources = [SOURCES[depositSource]];
  switch (message.type) {
    case "createDeployment": {
      const sdl = await readSdl(message.sdlYaml);
      return {
        typeUrl: `/${MsgCreateDeployment.$type}`,
        value: MsgCreateDeployment.fromPartial({
          id: { owner, dseq: message.dseq },
          groups: sdl.groups,
          hash: Buffer.from(sdl.manifestVersion, "hex"),
          deposit: { amount: { denom: "uact", amount: message.depositUact }, sources },
        }),
      };
    }
    case "closeDeployment":
      return {
        typeUrl: `/${MsgCloseDeployment.$type}`,
        value: MsgCloseDeployment.fromPartial({ id: { owner, dseq: message.dseq } }),
      };
    case "createLease":
      return {
        typeUrl: `/${MsgCreateLease.$type}`,
        value: MsgCreateLease.fromPartial({ bidId: leaseIdOf(owner, message.bid) }),
      };
    case "closeLease":
      return {
        typeUrl: `/${MsgCloseLease.$type}`,
        value: MsgCloseLease.fromPartial({
          id: leaseIdOf(owner, message.lease),
          reason: LeaseClosedReason.lease_closed_owner,
        }),
      };
    case "startGroup":
      return {
        typeUrl: `/${MsgStartGroup.$type}`,
        value: MsgStartGroup.fromPartial({ id: { owner, dseq: message.dseq, gseq: message.gseq } }),
      };
    case "deposit":
      return {
        typeUrl: `/${MsgAccountDeposit.$type}`,
        value: MsgAccountDeposit.fromPartial({
          signer: owner,
          id: { scope: Scope.deployment, xid: `${owner}/${message.dseq}` },
          deposit: { amount: { denom: "uact", amount: message.amountUact }, sources },
        }),
      };
    case "mintAct":
      return {
        typeUrl: `/${MsgMintACT.$type}`,
        value: MsgMintACT.fromPartial({
          owner,
          to: owner,
          coinsToBurn: { denom: "uakt", amount: message.amountUakt },
        }),
      };
    case "burnAct":
      return {
        typeUrl: `/${MsgBurnACT.$type}`,
        value: MsgBurnACT.fromPartial({
          owner,
          to: owner,
          coinsToBurn: { denom: "uact", amount: message.amountUact },
        }),
      };
    case "send":
      return {
        typeUrl: `/${MsgSend.$type}`,
        value: MsgSend.fromPartial({
          fromAddress: owner,
          toAddress: message.toAddress,
          amount: [{ denom: "uakt", amount: message.amountUakt }],
        }),
      };
  }
}
