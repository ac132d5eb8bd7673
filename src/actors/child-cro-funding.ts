import { EffectError } from "../domain/index.js";
import type { Logger } from "../logging/index.js";
import { sendCro, TRANSFER_GAS } from "../services/cronos/index.js";
import type { AgentServices } from "./agent-services.js";
import { cronosLegDeps } from "./treasury-readings.js";

const WEI_PER_CRO = 10n ** 18n;

/** The CRO a child funding sends: how much, to which address, under which key. */
export interface ChildCroPlan {
  readonly key: string;
  readonly childId: string | null;
  readonly to: string;
  readonly wei: bigint;
}

interface ChildCroPayload {
  to?: unknown;
  wei?: unknown;
}

function croText(wei: bigint): string {
  return `${(Number(wei) / Number(WEI_PER_CRO)).toFixed(4)} CRO`;
}

/** The key of a child funding's CRO transfer. */
export function childCroKey(fundingKey: string): string {
  return `${fundingKey}:cro`;
}

/**
 * Decides a child's CRO before any of its funding is sent (DESIGN §13: "CRO for the child's treasury
 * goes by an ordinary transfer, within the parent's caps"): none when `reproduction.childCroWei` is
 * 0; refused (EffectError) when it is over the per-transaction cap of Cronos spending, when the
 * network has no Cronos leg, or when the parent's CRO cannot pay it. A transfer already begun for
 * this key is finished whatever the settings say now. The daily and per-child caps count it in the
 * treasury machine (see `requestUsd`).
 */
export async function planChildCro(
  services: AgentServices,
  input: { key: string; childAddress: string },
  log: Logger,
): Promise<ChildCroPlan | null> {
  const key = childCroKey(input.key);
  const child = services.store.children.all().find((known) => known.addresses.akash === input.childAddress);
  const begun = services.store.intents.get(key);
  if (begun) {
    const payload = begun.payload as ChildCroPayload | null;
    if (typeof payload?.to === "string" && typeof payload.wei === "string") {
      return { key, childId: child?.id ?? null, to: payload.to, wei: BigInt(payload.wei) };
    }
  }
  const wei = BigInt(services.settings.childFunding?.croWei ?? "0");
  const { cronos } = services;
  if (wei === 0n) {
    log.info(
      { child: input.childAddress },
      cronos
        ? "the child gets no CRO (reproduction.childCroWei is 0)"
        : "the child gets no CRO: this network has no Cronos endpoints (treasury.cronos.*)",
    );
    return null;
  }
  if (!cronos) {
    throw new EffectError(
      "fatal",
      `reproduction.childCroWei is ${wei} but this network has no Cronos endpoints (treasury.cronos.<network>): configure them or set reproduction.childCroWei to 0`,
    );
  }
  const { policy, client } = cronos;
  const usd = (Number(wei) / Number(WEI_PER_CRO)) * policy.croUsd;
  if (usd > policy.perSwapCapUsd) {
    throw new EffectError(
      "cap_exceeded",
      `reproduction.childCroWei (${croText(wei)}, $${usd.toFixed(2)} at budget.croUsd $${policy.croUsd}) is over the cap of $${policy.perSwapCapUsd} on one Cronos transaction (budget.perSwapCapUsd): lower reproduction.childCroWei or raise the cap`,
    );
  }
  const to = child?.addresses.cronos ?? childCronosFromIndex(services, child?.index ?? null);
  if (!to) {
    throw new EffectError(
      "fatal",
      `the Cronos address of child ${input.childAddress} is unknown (not in the children registry and no family operations to derive it): it cannot be sent its CRO`,
    );
  }
  const held = await client.croWei();
  const needed = wei + policy.gasFeeCeilingWei * TRANSFER_GAS;
  if (held < needed) {
    throw new EffectError(
      "insufficient_funds",
      `sending a child ${croText(wei)} (reproduction.childCroWei) needs ${croText(needed)} with gas but ${client.address} holds ${croText(held)}`,
    );
  }
  return { key, childId: child?.id ?? null, to, wei };
}

function childCronosFromIndex(services: AgentServices, index: number | null): string | undefined {
  if (index === null || !services.family) return undefined;
  return services.family.childIdentity(index).cronos;
}

/**
 * Sends the planned CRO (once per key, see `sendCro`) and records it: the spend (`child_funding` in
 * wei, its gas as `fee`) and what the child was given, in one transaction with the spend's first record.
 */
export async function sendChildCro(
  services: AgentServices,
  plan: ChildCroPlan,
  o: { log: Logger; signal?: AbortSignal },
): Promise<void> {
  const { store } = services;
  const cronos = services.cronos;
  if (!cronos) {
    throw new EffectError("fatal", "the child's CRO transfer needs the Cronos leg, which this agent lost");
  }
  o.log.info({ to: plan.to, wei: plan.wei.toString() }, "sending the child CRO for its treasury");
  const tx = await sendCro(
    { key: plan.key, purpose: "child_funding", to: plan.to, wei: plan.wei },
    cronosLegDeps(cronos, {
      store,
      logger: o.log,
      now: services.now,
      ...(o.signal ? { signal: o.signal } : {}),
    }),
  );
  store.transaction(() => {
    const { created } = store.spending.record({
      key: plan.key,
      kind: "child_funding",
      denom: "wei",
      amount: plan.wei,
      txHash: tx.hash,
    });
    store.spending.record({
      key: `${plan.key}:fee`,
      kind: "fee",
      denom: "wei",
      amount: tx.feeWei,
      txHash: tx.hash,
    });
    if (created && plan.childId && store.children.byId(plan.childId)) {
      store.children.addFunding(plan.childId, "wei", plan.wei);
    }
  });
}
