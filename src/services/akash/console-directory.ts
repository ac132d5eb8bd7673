import { z } from "zod";
import { EffectError } from "../../domain/effect-failure.js";
import type { ProviderDirectory } from "./akash-service.js";
import type { ConsoleProvider } from "./akash-types.js";
import { describeTransportError } from "./chain-failures.js";

/** The Console API answers at most this many addresses per list request. */
const ADDRESSES_PER_REQUEST = 20;

const uptimeSchema = z.number().min(0).max(1).nullish();

const consoleProviderSchema = z.object({
  owner: z.string(),
  hostUri: z.string(),
  isOnline: z.boolean(),
  isAudited: z.boolean(),
  uptime1d: uptimeSchema,
  uptime7d: uptimeSchema,
  uptime30d: uptimeSchema,
  attributes: z
    .array(z.object({ key: z.string(), value: z.string(), auditedBy: z.array(z.string()).nullish() }))
    .nullish(),
});

const providerListSchema = z.array(consoleProviderSchema);

const toConsoleProvider = (p: z.infer<typeof consoleProviderSchema>): ConsoleProvider => ({
  owner: p.owner,
  hostUri: p.hostUri,
  isOnline: p.isOnline,
  isAudited: p.isAudited,
  uptime1d: p.uptime1d ?? null,
  uptime7d: p.uptime7d ?? null,
  uptime30d: p.uptime30d ?? null,
  attributes: (p.attributes ?? []).map((a) => ({ key: a.key, value: a.value, auditedBy: a.auditedBy ?? [] })),
});

/** Provider uptime and audit data from the Akash Console API (`GET {consoleApi}/v1/providers?addresses=…`). */
export class ConsoleDirectory implements ProviderDirectory {
  constructor(
    private readonly consoleApi: string,
    private readonly timeoutMs: number,
  ) {}

  async providers(addresses: string[]): Promise<ConsoleProvider[]> {
    const wanted = [...new Set(addresses)];
    const found: ConsoleProvider[] = [];
    for (let i = 0; i < wanted.length; i += ADDRESSES_PER_REQUEST) {
      found.push(...(await this.page(wanted.slice(i, i + ADDRESSES_PER_REQUEST))));
    }
    // Only what was asked for, whatever the API did with the filter.
    const asked = new Set(wanted);
    return found.filter((p) => asked.has(p.owner));
  }

  async allProviders(): Promise<ConsoleProvider[]> {
    return this.page(null);
  }

  /** One request: the providers at `addresses`, or every provider (null). */
  private async page(addresses: string[] | null): Promise<ConsoleProvider[]> {
    const url = new URL(
      "v1/providers",
      this.consoleApi.endsWith("/") ? this.consoleApi : `${this.consoleApi}/`,
    );
    if (addresses !== null) url.searchParams.set("addresses", addresses.join(","));
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      throw new EffectError("retryable", `Console API ${url.origin}: ${describeTransportError(error)}`, {
        cause: error,
      });
    }
    if (!response.ok) {
      const kind = response.status >= 500 || response.status === 429 ? "retryable" : "fatal";
      throw new EffectError(
        kind,
        `Console API ${url.origin} answered HTTP ${response.status} for the provider list`,
      );
    }
    const parsed = providerListSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new EffectError(
        "fatal",
        `Console API ${url.origin} answered a provider list in an unknown shape`,
      );
    }
    return parsed.data.map(toConsoleProvider);
  }
}
