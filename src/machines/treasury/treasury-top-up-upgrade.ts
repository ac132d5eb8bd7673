/**
 * Agent snapshot version 6 → 7: an escrow top-up was two effects (`ensureAct` in `serving.ensuring_act`,
 * then `depositEscrow` in `serving.depositing`) and is now one (`topUpEscrow` in `serving.topping_up`).
 * A treasury caught in either with a top-up is moved to `topping_up`, its in-flight effect turned into
 * the one that state invokes (same idempotency key for the deposit, so a restore finishes it, never pays
 * twice). JSON in, JSON out.
 */
type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

interface TopUpRequest {
  requestId: string;
  purpose: string;
  dseq: string;
  amountUact: string;
}

const isTopUp = (value: unknown): value is TopUpRequest =>
  isRecord(value) && value.purpose === "escrow_top_up" && typeof value.requestId === "string";

const OLD_STATES = ["ensuring_act", "depositing"] as const;

function upgradeTreasurySnapshot(snapshot: Json): Json {
  const value = snapshot.value;
  const context = snapshot.context;
  if (!isRecord(value) || !isRecord(context)) return snapshot;
  const serving = value.serving;
  const current = context.current;
  if (!OLD_STATES.includes(serving as (typeof OLD_STATES)[number]) || !isTopUp(current)) return snapshot;
  const settings = isRecord(context.settings) ? context.settings : {};
  const floatUact = typeof settings.actFloatUact === "string" ? settings.actFloatUact : undefined;
  const input = {
    key: current.requestId,
    dseq: current.dseq,
    amountUact: current.amountUact,
    ...(floatUact ? { floatUact } : {}),
  };
  const children: Json = {};
  for (const [id, child] of Object.entries(isRecord(snapshot.children) ? snapshot.children : {})) {
    const invokedThere = id.endsWith(`.serving.${String(serving)}`);
    if (!invokedThere || !isRecord(child)) {
      children[id] = child;
      continue;
    }
    const childSnapshot = isRecord(child.snapshot) ? child.snapshot : {};
    children[id.replace(/\.serving\.[a-z_]+$/, ".serving.topping_up")] = {
      ...child,
      src: "topUpEscrow",
      snapshot: { ...childSnapshot, input },
    };
  }
  return { ...snapshot, value: { ...value, serving: "topping_up" }, children };
}

/** A version 6 agent snapshot whose treasury (the root's `treasury` child) holds a top-up in flight, upgraded. */
export function upgradeTreasuryTopUp<T>(snapshot: T): T {
  if (!isRecord(snapshot) || !isRecord(snapshot.children)) return snapshot;
  const entry = snapshot.children.treasury;
  if (!isRecord(entry) || !isRecord(entry.snapshot)) return snapshot;
  return {
    ...snapshot,
    children: {
      ...snapshot.children,
      treasury: { ...entry, snapshot: upgradeTreasurySnapshot(entry.snapshot) },
    },
  } as T;
}
