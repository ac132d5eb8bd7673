import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { FamilyRequestState } from "../machines/reproduction/reproduction.types.js";
import type { AgentSystemView } from "./agent-system-view.js";

/** How long `spawn` waits for the child's identity (the gates are evaluated first). */
const SPAWN_ANSWER_MS = 60_000;
/** How long `retire` waits for the child to be retired before answering that it is under way. */
const RETIRE_ANSWER_MS = 120_000;
const POLL_MS = 100;

export const spawnBody = z.strictObject({
  role: z.enum(["replica", "specialized"]),
  region: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "a region name such as us-west (lower case, digits, dashes)")
    .nullable()
    .optional(),
});
export const retireBody = z.strictObject({
  agentId: z.string().min(1, "the child's agentId (see `akash-agent family`)"),
});

export type FamilyAdminResult =
  | { status: 200; body: Record<string, unknown> }
  | { status: 409 | 503 | 504; error: string };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function answerOf(
  view: AgentSystemView,
  requestId: string,
  settled: (state: FamilyRequestState) => boolean,
  timeoutMs: number,
): Promise<FamilyRequestState | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = view.familyRequest(requestId);
    if (state && settled(state)) return state;
    if (Date.now() > deadline) return state;
    await sleep(POLL_MS);
  }
}

/** `spawn`: a child now, through the same gates as a trigger; answers with its agentId once derived. */
export async function spawnChild(
  view: AgentSystemView,
  body: z.infer<typeof spawnBody>,
): Promise<FamilyAdminResult> {
  const requestId = `admin-spawn:${randomUUID()}`;
  const sent = view.send("reproduction", {
    type: "REPRODUCTION.SPAWN",
    requestId,
    role: body.role,
    region: body.region ?? null,
  });
  if (!sent) return { status: 503, error: "the agent is not running its family yet: try again once it runs" };
  const answer = await answerOf(
    view,
    requestId,
    (state) => state.state !== "accepted" || state.childId !== null,
    SPAWN_ANSWER_MS,
  );
  if (answer === null) {
    return { status: 504, error: `no answer within ${SPAWN_ANSWER_MS / 1000} s: see \`akash-agent family\`` };
  }
  if (answer.state === "refused") return { status: 409, error: `spawn refused: ${answer.reason}` };
  if (answer.state === "failed") return { status: 409, error: `spawn failed: ${answer.reason}` };
  const agentId = "childId" in answer ? answer.childId : null;
  return {
    status: 200,
    body: {
      ok: true,
      action: "spawn",
      agentId,
      state: answer.state === "born" ? "active" : "deploying",
      requestId,
    },
  };
}

/** `retire`: closes the child's lease, sweeps its account and revokes its grants. */
export async function retireChild(
  view: AgentSystemView,
  body: z.infer<typeof retireBody>,
): Promise<FamilyAdminResult> {
  const requestId = `admin-retire:${randomUUID()}`;
  const sent = view.send("reproduction", { type: "REPRODUCTION.RETIRE", requestId, childId: body.agentId });
  if (!sent) return { status: 503, error: "the agent is not running its family yet: try again once it runs" };
  const answer = await answerOf(view, requestId, (state) => state.state !== "accepted", RETIRE_ANSWER_MS);
  if (answer === null) return { status: 504, error: "the agent did not take the request: try again" };
  if (answer.state === "refused") return { status: 409, error: `retire refused: ${answer.reason}` };
  return {
    status: 200,
    body: {
      ok: true,
      action: "retire",
      agentId: body.agentId,
      state: answer.state === "retired" ? "retired" : "retiring",
      requestId,
    },
  };
}
