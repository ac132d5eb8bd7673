import { EventGroupPaused, EventGroupStarted } from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  MsgCloseGroup,
  MsgCloseGroupResponse,
  MsgPauseGroup,
  MsgPauseGroupResponse,
  MsgStartGroup,
  MsgStartGroupResponse,
} from "@akashnetwork/chain-sdk/private-types/akash.v1beta4";
import { isAkashAddress } from "../addresses.js";
import { DeploymentErrors, SdkErrors } from "../chain-errors.js";
import { deploymentKey, type GroupRecord, groupKey } from "../chain-state.js";
import { defineHandler, type MsgContext, partial } from "../msg-handler.js";
import { groupIdJson, onCloseGroup, setGroupState } from "./deployment-keeper.js";
import { createOrder, GroupState, onGroupClosed } from "./market-keeper.js";

interface GroupIdLike {
  owner: string;
  dseq: { toString(): string };
  gseq: number;
}

function validateGroupId(id: GroupIdLike | undefined): void {
  if (!id || !isAkashAddress(id.owner)) throw SdkErrors.invalidAddress.wrap("GroupID: Invalid Owner Address");
  if (BigInt(id.dseq.toString()) === 0n)
    throw SdkErrors.invalidSequence.wrap("GroupID: Invalid Deployment Sequence");
  if (id.gseq === 0) throw SdkErrors.invalidSequence.wrap("GroupID: Invalid Group Sequence");
}

function findGroup(ctx: MsgContext, id: GroupIdLike): GroupRecord {
  const group = ctx.state.groups.get(groupKey(id.owner, BigInt(id.dseq.toString()), id.gseq));
  if (!group) throw DeploymentErrors.groupNotFound();
  return group;
}

const isFinal = (g: GroupRecord) => g.state === GroupState.closed || g.state === GroupState.insufficientFunds;

/** MsgCloseGroup / MsgPauseGroup / MsgStartGroup (deployment v1beta4): the tenant's per-group controls. */
export const groupHandlers = [
  defineHandler({
    codec: MsgCloseGroup,
    responseCodec: MsgCloseGroupResponse,
    module: "deployment",
    gas: 50_000,
    signer: (msg) => msg.id?.owner ?? "",
    validateBasic: (msg) => validateGroupId(msg.id),
    execute(ctx, msg) {
      const group = findGroup(ctx, msg.id!);
      if (isFinal(group)) throw DeploymentErrors.groupClosed();
      onCloseGroup(ctx, group, GroupState.closed);
      onGroupClosed(ctx, group, GroupState.closed);
      return partial(MsgCloseGroupResponse, {});
    },
  }),
  defineHandler({
    codec: MsgPauseGroup,
    responseCodec: MsgPauseGroupResponse,
    module: "deployment",
    gas: 50_000,
    signer: (msg) => msg.id?.owner ?? "",
    validateBasic: (msg) => validateGroupId(msg.id),
    execute(ctx, msg) {
      const group = findGroup(ctx, msg.id!);
      if (isFinal(group)) throw DeploymentErrors.groupClosed();
      if (group.state === GroupState.paused) throw DeploymentErrors.groupPaused();
      setGroupState(ctx.state, group, GroupState.paused);
      ctx.events.emitTyped(
        EventGroupPaused,
        EventGroupPaused.fromPartial({ id: groupIdJson(group) }),
        ctx.msgIndex,
      );
      onGroupClosed(ctx, group, GroupState.paused);
      return partial(MsgPauseGroupResponse, {});
    },
  }),
  defineHandler({
    codec: MsgStartGroup,
    responseCodec: MsgStartGroupResponse,
    module: "deployment",
    gas: 50_000,
    signer: (msg) => msg.id?.owner ?? "",
    validateBasic: (msg) => validateGroupId(msg.id),
    execute(ctx, msg) {
      const group = findGroup(ctx, msg.id!);
      if (isFinal(group)) throw DeploymentErrors.groupClosed();
      if (group.state === GroupState.open) throw DeploymentErrors.groupOpen();
      if (!ctx.state.deployments.has(deploymentKey(group.owner, group.dseq)))
        throw DeploymentErrors.notFound();
      const started = setGroupState(ctx.state, group, GroupState.open);
      ctx.events.emitTyped(
        EventGroupStarted,
        EventGroupStarted.fromPartial({ id: groupIdJson(group) }),
        ctx.msgIndex,
      );
      createOrder(ctx, started);
      return partial(MsgStartGroupResponse, {});
    },
  }),
];
