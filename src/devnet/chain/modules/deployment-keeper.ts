import {
  EventDeploymentClosed,
  EventGroupClosed,
  EventGroupPaused,
} from "@akashnetwork/chain-sdk/private-types/akash.v1";
import {
  type ChainState,
  type DeploymentRecord,
  deploymentKey,
  type GroupRecord,
  groupKey,
} from "../chain-state.js";
import type { EscrowContext } from "./escrow-keeper.js";
import { GroupState } from "./market-keeper.js";

/** akash.deployment.v1.Deployment.State */
export const DeploymentState = { active: 1, closed: 2 } as const;

export const deploymentIdJson = (d: { owner: string; dseq: bigint }) => ({
  owner: d.owner,
  dseq: d.dseq.toString(),
});
export const groupIdJson = (g: { owner: string; dseq: bigint; gseq: number }) => ({
  ...deploymentIdJson(g),
  gseq: g.gseq,
});

export function groupsOf(state: ChainState, owner: string, dseq: bigint): GroupRecord[] {
  return [...state.groups.values()]
    .filter((g) => g.owner === owner && g.dseq === dseq)
    .sort((a, b) => a.gseq - b.gseq);
}

export function setGroupState(state: ChainState, group: GroupRecord, next: number): GroupRecord {
  const updated = { ...group, state: next };
  state.groups.set(groupKey(group.owner, group.dseq, group.gseq), updated);
  return updated;
}

export function closeDeploymentRecord(ctx: EscrowContext, deployment: DeploymentRecord): void {
  ctx.state.deployments.set(deploymentKey(deployment.owner, deployment.dseq), {
    ...deployment,
    state: DeploymentState.closed,
  });
  ctx.events?.emitTyped(
    EventDeploymentClosed,
    EventDeploymentClosed.fromPartial({ id: deploymentIdJson(deployment) }),
  );
}

/** Group.ValidateClosable: anything not already closed (or insufficient_funds) can close. */
export function groupClosable(group: GroupRecord): boolean {
  return group.state !== GroupState.closed && group.state !== GroupState.insufficientFunds;
}

export function onCloseGroup(ctx: EscrowContext, group: GroupRecord, next: number): void {
  setGroupState(ctx.state, group, next);
  ctx.events?.emitTyped(EventGroupClosed, EventGroupClosed.fromPartial({ id: groupIdJson(group) }));
}

/** deployment keeper OnBidClosed: a provider closing an active bid pauses the group (no new order). */
export function onBidClosedPauseGroup(ctx: EscrowContext, owner: string, dseq: bigint, gseq: number): void {
  const group = ctx.state.groups.get(groupKey(owner, dseq, gseq));
  if (!group || group.state !== GroupState.open) return;
  setGroupState(ctx.state, group, GroupState.paused);
  ctx.events?.emitTyped(EventGroupPaused, EventGroupPaused.fromPartial({ id: groupIdJson(group) }));
}
