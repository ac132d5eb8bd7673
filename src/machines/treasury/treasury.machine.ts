import { assign, enqueueActions, raise, setup } from "xstate";
import {
  backoffDelayMs,
  canRetryEffect,
  type FundsRequest,
  type RefusalCause,
  retryAfterBackoff,
  toEffectFailure,
  waitFor,
  waitUntil,
} from "../shared/index.js";
import { treasuryActorContracts } from "./treasury.actors.js";
import {
  ANSWERS_KEPT,
  initialTreasuryContext,
  type TreasuryContext,
  type TreasuryInput,
} from "./treasury.context.js";
import type { TreasuryEvent, TreasuryNotice } from "./treasury.events.js";
import {
  capViolation,
  creditRefunds,
  isAktShort,
  netSpentUsd,
  requestUsd,
  spendOn,
  tierChangeAlert,
  treasuryTier,
  uaktToUsd,
  withLastCronosFigures,
} from "./treasury.policy.js";
import type { Balances } from "./treasury.types.js";

/** A failed effect that is not retried: the current request is refused with the failure's message. */
const refuseWithFailure = {
  target: "idle",
  actions: {
    type: "refuse" as const,
    params: ({ event }: { event: { error: unknown } }) => ({
      reason: toEffectFailure(event.error).message,
      cause: "failed" as const,
    }),
  },
};

/** Not enough AKT to mint the request's ACT: refused, and an emergency swap asked for. */
const refuseForLackOfAkt = {
  guard: {
    type: "isInsufficientFunds" as const,
    params: ({ event }: { event: { error: unknown } }) => ({ error: event.error }),
  },
  target: "idle",
  actions: [
    "askForSwapForMinting" as const,
    {
      type: "refuse" as const,
      params: ({ event }: { event: { error: unknown } }) => ({
        reason: toEffectFailure(event.error).message,
        cause: "insufficient_funds" as const,
      }),
    },
  ],
};

/** The effect that paid for the current request is done: grant it, with when the funds were in place. */
const grantAtDone = {
  target: "idle",
  actions: {
    type: "grant" as const,
    params: ({ event }: { event: { output: { at: number } } }) => ({ at: event.output.at }),
  },
};

/**
 * The agent's money, in three parallel regions:
 * - watching: reads balances on a schedule (absolute next-read time) and starts an emergency swap
 *   when AKT for fees runs short;
 * - serving: answers funds requests one at a time — deployment deposit budgets, escrow top-ups and
 *   child allocations — minting ACT from AKT first when ACT is short; a request that would break
 *   the daily spend cap, the per-child cap or the treasury minimum is refused with an alert;
 * - swapping: the emergency CRO→AKT swap, itself within the daily cap; a failed one is alerted and
 *   tried again after a backoff (`cooling`) while AKT stays short.
 * The two chains are read apart: Cronos not answering leaves the Akash side read and acted on.
 * A request sent twice (timeout, restore) is answered from the recorded answer, never paid twice.
 */
export const treasuryMachine = setup({
  types: {
    context: {} as TreasuryContext,
    events: {} as TreasuryEvent,
    input: {} as TreasuryInput,
  },
  actors: { ...treasuryActorContracts, waitFor, waitUntil },
  guards: {
    hasQueuedRequest: ({ context }) => context.queue.length > 0,
    breaksACap: ({ context }) =>
      context.current !== null &&
      capViolation(
        context.current,
        context.spent,
        context.inFlight.swapUsd,
        context.balances,
        context.settings,
      ) !== null,
    isTopUp: ({ context }) => context.current?.purpose === "escrow_top_up",
    isChildFunding: ({ context }) => context.current?.purpose === "child_funding",
    isRetryable: ({ context }, params: { error: unknown }) =>
      canRetryEffect(params.error, context.retries, context.settings.retry),
    isInsufficientFunds: (_, params: { error: unknown }) =>
      toEffectFailure(params.error).kind === "insufficient_funds",
    swapWithinCap: ({ context }) =>
      netSpentUsd(context.spent) +
        context.inFlight.requestUsd +
        uaktToUsd(context.settings.swapChunkUakt, context.settings) <=
      context.settings.dailySpendCapUsd,
    swapBlocked: ({ context }) => context.swapBlocked !== null,
    isFatal: (_, params: { error: unknown }) => toEffectFailure(params.error).kind === "fatal",
  },
  actions: {
    askForSwapForMinting: raise({ type: "TREASURY.SWAP_NEEDED", reason: "not enough AKT to mint ACT" }),
    notify: enqueueActions(({ enqueue, self }, params: { notice: TreasuryNotice }) => {
      if (self._parent) enqueue.sendParent(params.notice);
    }),
    storeBalances: enqueueActions(({ context, enqueue, self }, params: { balances: Balances }) => {
      // Cronos not answering hides nothing on Akash: the AKT read is acted on, the CRO last read stands in.
      const balances = withLastCronosFigures(params.balances, context.balances);
      const short = isAktShort(balances, context.settings);
      enqueue.assign({
        balances,
        spent: creditRefunds(context.spent, balances, context.settings),
        lastError: null,
        // AKT back above the reserve (someone funded the account): swaps may be tried again.
        swapBlocked: short ? context.swapBlocked : null,
        swapFailures: short ? (context.swapFailures ?? 0) : 0,
      });
      if (short)
        enqueue(
          raise({ type: "TREASURY.SWAP_NEEDED", reason: "AKT is short of the fee reserve or the ACT float" }),
        );
      // No Cronos figure read yet: the runway is not known, so the tier waits for a full reading.
      if (balances.cronosUnreadable && balances.croWei === null) return;
      const tier = treasuryTier(balances, context.settings);
      if (tier !== context.tier) {
        enqueue.assign({ tier });
        // Alerted once per change; finding itself normal at the first reading is no news.
        if (self._parent && !(context.tier === null && tier === "normal")) {
          enqueue.sendParent({
            type: "ALERT.RAISED",
            source: "treasury",
            ...tierChangeAlert(context.tier, tier, balances, context.settings),
          });
        }
      }
    }),
    receive: enqueueActions(({ context, enqueue, self }, params: { request: FundsRequest }) => {
      const { request } = params;
      const answer = context.answers.find((known) => known.requestId === request.requestId);
      if (answer) {
        if (!self._parent) return;
        enqueue.sendParent(
          answer.granted
            ? {
                type: "TREASURY.REQUEST_GRANTED",
                requestId: answer.requestId,
                replyTo: request.replyTo,
                ...(answer.at == null ? {} : { at: answer.at }),
              }
            : {
                type: "TREASURY.REQUEST_REFUSED",
                requestId: answer.requestId,
                replyTo: request.replyTo,
                reason: answer.reason ?? "refused",
                cause: answer.cause ?? "failed",
              },
        );
        return;
      }
      const known =
        context.current?.requestId === request.requestId ||
        context.queue.some((queued) => queued.requestId === request.requestId);
      if (!known) enqueue.assign({ queue: [...context.queue, request] });
    }),
    takeNext: assign(({ context }) => ({
      current: context.queue[0] ?? null,
      queue: context.queue.slice(1),
      retries: 0,
    })),
    grant: enqueueActions(({ context, enqueue, self }, params: { at: number | null }) => {
      const request = context.current;
      if (!request) return;
      const spent = params.at === null ? context.spent : spendOn(context.spent, params.at);
      enqueue.assign({
        spent: {
          ...spent,
          usd: spent.usd + requestUsd(request, context.settings),
        },
        answers: [
          ...context.answers,
          { requestId: request.requestId, granted: true, reason: null, at: params.at },
        ].slice(-ANSWERS_KEPT),
        current: null,
        inFlight: { ...context.inFlight, requestUsd: 0 },
      });
      if (self._parent) {
        enqueue.sendParent({
          type: "TREASURY.REQUEST_GRANTED",
          requestId: request.requestId,
          replyTo: request.replyTo,
          ...(params.at === null ? {} : { at: params.at }),
        });
      }
    }),
    refuse: enqueueActions(({ context, enqueue, self }, params: { reason: string; cause: RefusalCause }) => {
      const request = context.current;
      if (!request) return;
      enqueue.assign({
        answers: [
          ...context.answers,
          { requestId: request.requestId, granted: false, reason: params.reason, cause: params.cause },
        ].slice(-ANSWERS_KEPT),
        current: null,
        inFlight: { ...context.inFlight, requestUsd: 0 },
      });
      if (!self._parent) return;
      enqueue.sendParent({
        type: "TREASURY.REQUEST_REFUSED",
        requestId: request.requestId,
        replyTo: request.replyTo,
        reason: params.reason,
        cause: params.cause,
      });
      enqueue.sendParent({
        type: "ALERT.RAISED",
        source: "treasury",
        severity: "high",
        title: "Funds request refused",
        message: `${request.purpose} of ${request.amountUact}uact refused: ${params.reason}`,
      });
    }),
    countRetry: assign({ retries: ({ context }) => context.retries + 1 }),
    recordError: assign((_, params: { error: unknown }) => ({ lastError: toEffectFailure(params.error) })),
    recordSwap: assign(({ context }, params: { at: number; spentUsd: number }) => {
      const spent = spendOn(context.spent, params.at);
      return {
        spent: { ...spent, usd: spent.usd + params.spentUsd },
        swaps: context.swaps + 1,
        swapFailures: 0,
        inFlight: { ...context.inFlight, swapUsd: 0 },
      };
    }),
    countSwapAttempt: assign(({ context }) => ({
      swaps: context.swaps + 1,
      swapFailures: (context.swapFailures ?? 0) + 1,
      inFlight: { ...context.inFlight, swapUsd: 0 },
    })),
    reserveRequest: assign(({ context }) => ({
      inFlight: {
        ...context.inFlight,
        requestUsd: context.current ? requestUsd(context.current, context.settings) : 0,
      },
    })),
    reserveSwap: assign(({ context }) => ({
      inFlight: { ...context.inFlight, swapUsd: uaktToUsd(context.settings.swapChunkUakt, context.settings) },
    })),
    blockSwaps: assign((_, params: { reason: string }) => ({ swapBlocked: params.reason })),
  },
}).createMachine({
  id: "treasury",
  context: ({ input }) => initialTreasuryContext(input),
  type: "parallel",
  on: {
    "TREASURY.FUNDS_REQUESTED": {
      actions: { type: "receive", params: ({ event }) => ({ request: fundsRequestOf(event) }) },
    },
  },
  states: {
    watching: {
      initial: "reading",
      states: {
        reading: {
          invoke: {
            src: "readBalances",
            onDone: {
              target: "waiting",
              actions: { type: "storeBalances", params: ({ event }) => ({ balances: event.output }) },
            },
            onError: {
              target: "backing_off",
              actions: { type: "recordError", params: ({ event }) => ({ error: event.error }) },
            },
          },
        },
        waiting: {
          invoke: {
            src: "waitUntil",
            input: ({ context }) => ({
              until: (context.balances?.at ?? 0) + context.settings.pollIntervalMs,
            }),
            onDone: "reading",
          },
        },
        backing_off: {
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: context.settings.pollIntervalMs }),
            onDone: "reading",
          },
        },
      },
    },

    serving: {
      initial: "idle",
      states: {
        idle: {
          always: { guard: "hasQueuedRequest", target: "deciding", actions: "takeNext" },
        },
        deciding: {
          always: [
            {
              guard: "breaksACap",
              target: "idle",
              actions: {
                type: "refuse",
                params: ({ context }) => ({
                  reason:
                    capViolation(
                      context.current!,
                      context.spent,
                      context.inFlight.swapUsd,
                      context.balances,
                      context.settings,
                    ) ?? "cap exceeded",
                  cause: "cap" as const,
                }),
              },
            },
            { guard: "isTopUp", target: "topping_up", actions: "reserveRequest" },
            { target: "ensuring_act", actions: "reserveRequest" },
          ],
        },
        ensuring_act: {
          invoke: {
            src: "ensureAct",
            input: ({ context }) => ({
              key: `${context.current!.requestId}:act`,
              amountUact: context.current!.amountUact,
              ...(context.settings.actFloatUact ? { floatUact: context.settings.actFloatUact } : {}),
            }),
            onDone: [
              { guard: "isChildFunding", target: "funding_child" },
              {
                target: "idle",
                actions: { type: "grant", params: ({ event }) => ({ at: event.output.at }) },
              },
            ],
            onError: [retryAfterBackoff, refuseForLackOfAkt, refuseWithFailure],
          },
        },
        /** An escrow top-up: ACT made sure of, then deposited, in one effect (one write, DESIGN §17). */
        topping_up: {
          invoke: {
            src: "topUpEscrow",
            input: ({ context }) => {
              const request = context.current as Extract<FundsRequest, { purpose: "escrow_top_up" }>;
              return {
                key: request.requestId,
                dseq: request.dseq,
                amountUact: request.amountUact,
                ...(context.settings.actFloatUact ? { floatUact: context.settings.actFloatUact } : {}),
              };
            },
            onDone: grantAtDone,
            onError: [retryAfterBackoff, refuseForLackOfAkt, refuseWithFailure],
          },
        },
        funding_child: {
          invoke: {
            src: "fundChild",
            input: ({ context }) => {
              const request = context.current as Extract<FundsRequest, { purpose: "child_funding" }>;
              return {
                key: request.requestId,
                childAddress: request.childAddress,
                amountUact: request.amountUact,
              };
            },
            onDone: grantAtDone,
            onError: [retryAfterBackoff, refuseWithFailure],
          },
        },
        backing_off: {
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({ ms: backoffDelayMs(context.retries, context.settings.retry) }),
            onDone: "deciding",
          },
        },
      },
    },

    swapping: {
      initial: "idle",
      states: {
        idle: {
          on: {
            "TREASURY.SWAP_NEEDED": [
              // Already alerted that no swap can be made; stay quiet until AKT recovers.
              { guard: "swapBlocked" },
              { guard: "swapWithinCap", target: "swapping", actions: "reserveSwap" },
              {
                actions: {
                  type: "notify",
                  params: ({ context }) => ({
                    notice: {
                      type: "ALERT.RAISED",
                      source: "treasury",
                      severity: "critical",
                      title: "Emergency swap refused",
                      message: `AKT is short but a swap would break the daily spend cap of $${context.settings.dailySpendCapUsd}.`,
                    },
                  }),
                },
              },
            ],
            "TREASURY.WALLET_LOW": [
              { guard: "swapBlocked" },
              { guard: "swapWithinCap", target: "swapping", actions: "reserveSwap" },
              {
                actions: {
                  type: "notify",
                  params: ({ event }) => ({
                    notice: {
                      type: "ALERT.RAISED",
                      source: "treasury",
                      severity: "high",
                      title: "Wallet runway low",
                      message: `The wallet lasts ${event.runwayDays.toFixed(1)} more days and the daily cap forbids a swap.`,
                    },
                  }),
                },
              },
            ],
          },
        },
        swapping: {
          invoke: {
            src: "swapCroForAkt",
            input: ({ context }) => ({
              key: `${context.agentId}:swap:${context.swaps}`,
              amountUakt: context.settings.swapChunkUakt,
            }),
            onDone: {
              target: "idle",
              actions: [
                { type: "recordSwap", params: ({ event }) => event.output },
                {
                  type: "notify",
                  params: ({ event }) => ({
                    notice: { type: "TREASURY.SWAPPED", receivedUakt: event.output.receivedUakt },
                  }),
                },
              ],
            },
            onError: {
              target: "cooling",
              actions: [
                "countSwapAttempt",
                { type: "recordError", params: ({ event }) => ({ error: event.error }) },
                enqueueActions(({ enqueue, event, check }) => {
                  // A swap that cannot work (no route) is not tried again until AKT recovers.
                  if (check({ type: "isFatal", params: { error: event.error } })) {
                    enqueue({ type: "blockSwaps", params: { reason: toEffectFailure(event.error).message } });
                  }
                }),
                {
                  type: "notify",
                  params: ({ event, context }) => ({
                    notice: {
                      type: "ALERT.RAISED",
                      source: "treasury",
                      severity: "critical",
                      title: "Emergency swap failed",
                      message: `CRO→AKT swap failed: ${toEffectFailure(event.error).message}. Send AKT to the agent's account (keep more than ${context.settings.minAktReserveUakt} uakt for fees).`,
                    },
                  }),
                },
              ],
            },
          },
        },
        /**
         * A swap failed (Cronos unreachable, the price moved, no route): the next is not tried before a
         * backoff that grows with each failure in a row; a reading after it asks again while AKT is short.
         */
        cooling: {
          invoke: {
            src: "waitFor",
            input: ({ context }) => ({
              ms: backoffDelayMs(Math.max(0, (context.swapFailures ?? 1) - 1), context.settings.retry),
            }),
            onDone: "idle",
          },
        },
      },
    },
  },
});

function fundsRequestOf(event: Extract<TreasuryEvent, { type: "TREASURY.FUNDS_REQUESTED" }>): FundsRequest {
  const { type: _type, ...request } = event;
  return request;
}

export type TreasuryMachine = typeof treasuryMachine;
