import {
  EventDeploymentCreated,
  EventDeploymentUpdated,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  MsgCloseDeployment,
  MsgCloseDeploymentResponse,
  MsgCreateDeployment,
  MsgCreateDeploymentResponse,
  MsgUpdateDeployment,
  MsgUpdateDeploymentResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import { isAkashAddress } from "../addresses.js";
import { DeploymentErrors, SdkErrors } from "../chain-errors.js";
import { deploymentKey, groupKey } from "../chain-state.js";
import { defineHandler, partial } from "../msg-handler.js";
import { DeploymentState, deploymentIdJson } from "./deployment-keeper.js";
import { parseDeposit } from "./deposit.js";
import { accountClose, accountCreate, authorizeDeposits, EscrowScope } from "./escrow-keeper.js";
import { encodeGroupSpec, groupPrice, validateGroupSpec } from "./group-spec.js";
import { createOrder, deploymentEscrowXid, GroupState } from "./market-keeper.js";

interface DeploymentIdLike {
  owner: string;
  dseq: { toString(): string };
}

function validateId(id: DeploymentIdLike | undefined): { owner: string; dseq: bigint } {
  if (!id || !isAkashAddress(id.owner))
    throw SdkErrors.invalidAddress.wrap("DeploymentID: Invalid Owner Address");
  const dseq = BigInt(id.dseq.toString());
  if (dseq === 0n) throw SdkErrors.invalidSequence.wrap("DeploymentID: Invalid Deployment Sequence");
  return { owner: id.owner, dseq };
}

function validateHash(hash: Uint8Array): void {
  if (hash.length === 0) throw DeploymentErrors.emptyHash();
  if (hash.length !== 32) throw DeploymentErrors.invalidHash();
}

export const deploymentHandlers = [
  defineHandler({
    codec: MsgCreateDeployment,
    responseCodec: MsgCreateDeploymentResponse,
    module: "deployment",
    gas: 120_000,
    signer: (msg) => msg.id?.owner ?? "",
    validateBasic(msg) {
      validateId(msg.id);
      const deposit = parseDeposit(msg.deposit, true);
      if (msg.groups.length === 0) throw DeploymentErrors.invalidGroups.wrap("empty groups");
      validateHash(msg.hash);
      for (const group of msg.groups) validateGroupSpec(group);
      const priceDenom = groupPrice(msg.groups[0]!).denom;
      if (deposit.amount > 0n && deposit.denom !== priceDenom) {
        throw DeploymentErrors.invalidDeposit.wrap(
          `Mismatched denominations (${deposit.denom} != ${priceDenom})`,
        );
      }
    },
    execute(ctx, msg) {
      const { owner, dseq } = validateId(msg.id);
      const key = deploymentKey(owner, dseq);
      if (ctx.state.deployments.has(key)) throw DeploymentErrors.exists();
      const deposit = parseDeposit(msg.deposit, true);
      const min = ctx.state.params.deploymentMinDeposits.find((c) => c.denom === deposit.denom);
      if (!min) throw DeploymentErrors.invalidDeposit.wrap(`invalid deposit denom ${deposit.denom}`);
      if (deposit.amount < min.amount) {
        throw DeploymentErrors.invalidDeposit.wrap(
          `Deposit too low - ${deposit.amount}${deposit.denom} < ${min.amount}${min.denom}`,
        );
      }
      if (deposit.denom === "uakt") throw DeploymentErrors.invalidDeposit();
      const names = new Set<string>();
      let denom: string | undefined;
      for (const group of msg.groups) {
        if (names.has(group.name)) throw DeploymentErrors.duplicateGroupName.wrap(group.name);
        names.add(group.name);
        const price = groupPrice(group);
        if (denom !== undefined && denom !== price.denom)
          throw DeploymentErrors.invalidPrice.wrap("multi-denomination deployment");
        denom = price.denom;
      }
      if (denom !== "uact") {
        throw DeploymentErrors.invalidPrice.wrap(`unsupported denomination ${denom}`);
      }
      const depositors = authorizeDeposits(ctx, owner, deposit, EscrowScope.deployment);
      ctx.state.deployments.set(key, {
        owner,
        dseq,
        state: DeploymentState.active,
        hash: msg.hash,
        createdAt: ctx.height,
      });
      ctx.events.emitTyped(
        EventDeploymentCreated,
        EventDeploymentCreated.fromPartial({ id: deploymentIdJson({ owner, dseq }), hash: msg.hash }),
        ctx.msgIndex,
      );
      msg.groups.forEach((spec, index) => {
        const group = {
          owner,
          dseq,
          gseq: index + 1,
          state: GroupState.open,
          spec: encodeGroupSpec(spec),
          createdAt: ctx.height,
        };
        ctx.state.groups.set(groupKey(owner, dseq, group.gseq), group);
      });
      for (const group of [...ctx.state.groups.values()].filter(
        (g) => g.owner === owner && g.dseq === dseq,
      )) {
        createOrder(ctx, group);
      }
      accountCreate(ctx, EscrowScope.deployment, deploymentEscrowXid(owner, dseq), owner, depositors);
      return partial(MsgCreateDeploymentResponse, {});
    },
  }),
  defineHandler({
    codec: MsgUpdateDeployment,
    responseCodec: MsgUpdateDeploymentResponse,
    module: "deployment",
    gas: 40_000,
    signer: (msg) => msg.id?.owner ?? "",
    validateBasic(msg) {
      validateId(msg.id);
      validateHash(msg.hash);
    },
    execute(ctx, msg) {
      const { owner, dseq } = validateId(msg.id);
      const key = deploymentKey(owner, dseq);
      const deployment = ctx.state.deployments.get(key);
      if (!deployment) throw DeploymentErrors.notFound();
      if (deployment.state !== DeploymentState.active) throw DeploymentErrors.closed();
      if (Buffer.from(deployment.hash).equals(Buffer.from(msg.hash))) throw DeploymentErrors.invalidHash();
      ctx.state.deployments.set(key, { ...deployment, hash: msg.hash });
      ctx.events.emitTyped(
        EventDeploymentUpdated,
        EventDeploymentUpdated.fromPartial({ id: deploymentIdJson(deployment), hash: msg.hash }),
        ctx.msgIndex,
      );
      return partial(MsgUpdateDeploymentResponse, {});
    },
  }),
  defineHandler({
    codec: MsgCloseDeployment,
    responseCodec: MsgCloseDeploymentResponse,
    module: "deployment",
    gas: 60_000,
    signer: (msg) => msg.id?.owner ?? "",
    validateBasic(msg) {
      validateId(msg.id);
    },
    execute(ctx, msg) {
      const { owner, dseq } = validateId(msg.id);
      const deployment = ctx.state.deployments.get(deploymentKey(owner, dseq));
      if (!deployment) throw DeploymentErrors.notFound();
      if (deployment.state !== DeploymentState.active) throw DeploymentErrors.closed();
      accountClose(ctx, EscrowScope.deployment, deploymentEscrowXid(owner, dseq));
      return partial(MsgCloseDeploymentResponse, {});
    },
  }),
];
