import { maxPricePerBlockUact } from "../budget.js";
import { BLOCKS_PER_DAY, MICRO_PER_UNIT } from "../chain-units.js";
import { DEFAULT_RESOURCE_RATES, parseRates, profileCost } from "../cost.js";
import { DomainInputError } from "../domain-input-error.js";
import { resourcesForTraffic } from "../resource-sizing.js";
import { type Resources, validateResources } from "../resources.js";
import { deploymentProfiles, type ServiceName } from "../service-profiles.js";
import { splitPrice } from "./price-split.js";
import { INSTANCE_ENV_NAMES, relayEnvEntries, renderSdlYaml, type SdlSpec } from "./sdl-document.js";
import {
  ENV_NAME,
  type SdlInput,
  sortedEntries,
  validateIdentity,
  validateImage,
  validateInstanceEnv,
  validatePlacement,
  validateProfile,
} from "./sdl-input.js";
import { REDACTED_MARKER, type SdlSecrets, validateSdlSecrets } from "./sdl-secrets.js";

/**
 * SDL generation in two steps, so that secrets enter in exactly one place:
 *
 *   generateSdlTemplate(input)      → SdlTemplate   (public values only; prints redacted)
 *   injectSecrets(template, secrets) → DeployableSdl (`yamlWithSecrets()` is the only way to the secrets)
 *
 * Neither class can be constructed elsewhere (they are exported as types only), and both stringify,
 * JSON-serialise and inspect as the redacted YAML, where every secret value is REDACTED_MARKER. The
 * output is deterministic: the same input and secrets give byte-identical YAML, hence the same
 * manifest version, whatever the key order of the input records.
 */

const INSPECT = Symbol.for("nodejs.util.inspect.custom");
/** Highest price per resource unit the chain accepts in a GroupSpec. */
const MAX_PRICE_PER_UNIT_UACT = 10_000_000n;
/** Env names that look like they hold a secret; `extraEnv` must not use them. */
const SECRET_LOOKING_NAME = /(^|_)(MNEMONIC|PASSWORD|PASSPHRASE|SECRET|PRIVATE_KEY|TOKEN|JWK|NSEC)(_|$)/;

interface SdlFacts {
  /** agent-relay's size. */
  readonly resources: Resources;
  /** The group's max price, whole uact per block (the sum of `pricing`). */
  readonly maxPricePerBlock: string;
  /** Each service's pricing entry, whole uact per block. */
  readonly pricing: Readonly<Partial<Record<ServiceName, string>>>;
  /** The YAML with every secret replaced by REDACTED_MARKER: the form to print, log or write. */
  readonly redactedYaml: string;
}

let specOf: (template: SdlTemplate) => SdlSpec;

class SdlTemplate implements SdlFacts {
  readonly resources: Resources;
  readonly maxPricePerBlock: string;
  readonly pricing: Readonly<Partial<Record<ServiceName, string>>>;
  readonly redactedYaml: string;
  readonly #spec: SdlSpec;

  static {
    // The one reader of #spec outside the class body: injectSecrets, below.
    specOf = (template) => {
      if (typeof template !== "object" || template === null || !(#spec in template)) {
        throw new TypeError("injectSecrets needs a template made by generateSdlTemplate");
      }
      return template.#spec;
    };
  }

  constructor(spec: SdlSpec) {
    this.#spec = spec;
    this.resources = spec.resources;
    this.pricing = Object.fromEntries(
      spec.pricing.map(({ service, amount }) => [service, amount.toString()]),
    ) as Partial<Record<ServiceName, string>>;
    this.maxPricePerBlock = spec.pricing.reduce((sum, entry) => sum + entry.amount, 0n).toString();
    this.redactedYaml = renderSdlYaml(spec, () => REDACTED_MARKER);
  }

  toString(): string {
    return this.redactedYaml;
  }

  toJSON(): string {
    return this.redactedYaml;
  }

  [INSPECT](): string {
    return `SdlTemplate (secrets not injected)\n${this.redactedYaml}`;
  }
}

class DeployableSdl implements SdlFacts {
  readonly resources: Resources;
  readonly maxPricePerBlock: string;
  readonly pricing: Readonly<Partial<Record<ServiceName, string>>>;
  readonly redactedYaml: string;
  readonly #yaml: string;

  constructor(template: SdlTemplate, yaml: string) {
    this.resources = template.resources;
    this.maxPricePerBlock = template.maxPricePerBlock;
    this.pricing = template.pricing;
    this.redactedYaml = template.redactedYaml;
    this.#yaml = yaml;
  }

  /** The YAML to deploy (parse with chain-sdk's `SDL.fromString(yaml, "beta3")`). It holds secrets. */
  yamlWithSecrets(): string {
    return this.#yaml;
  }

  toString(): string {
    return this.redactedYaml;
  }

  toJSON(): string {
    return this.redactedYaml;
  }

  [INSPECT](): string {
    return `DeployableSdl (redacted)\n${this.redactedYaml}`;
  }
}

export type { DeployableSdl, SdlTemplate };

function sizeFrom(input: SdlInput): Resources {
  const hasMetrics = input.metrics !== undefined;
  const hasResources = input.resources !== undefined;
  if (hasMetrics === hasResources) {
    throw DomainInputError.of(
      hasMetrics ? "resources" : "metrics",
      hasMetrics ? input.resources : input.metrics,
      "give exactly one of metrics (size from traffic) or resources (explicit size)",
    );
  }
  return input.resources !== undefined
    ? validateResources("resources", input.resources)
    : resourcesForTraffic(input.metrics as NonNullable<SdlInput["metrics"]>);
}

function pricingFor(input: SdlInput, resources: Resources): SdlSpec["pricing"] {
  const total = maxPricePerBlockUact(input.budget);
  const profiles = deploymentProfiles(resources, validateProfile(input.profile));
  const minimum = BigInt(profiles.length);
  if (total < minimum) {
    const minimumUsd = Number(
      ((Number(minimum) * BLOCKS_PER_DAY * input.budget.actUsd) / MICRO_PER_UNIT).toPrecision(4),
    );
    throw DomainInputError.of(
      "budget.targetUsdPerDay",
      input.budget.targetUsdPerDay,
      `must allow at least 1 uact per block per service (≥ ${minimumUsd} USD/day at actUsd ${input.budget.actUsd})`,
    );
  }
  const rates = parseRates(input.rates ?? DEFAULT_RESOURCE_RATES);
  const weights = profiles.map((profile) => {
    const cost = profileCost(profile, rates);
    return {
      service: profile.service,
      weight: profile.service === "agent-relay" ? cost.plus(rates.networkBase) : cost,
    };
  });
  const pricing = splitPrice(total, weights);
  for (const { service, amount } of pricing) {
    if (amount > MAX_PRICE_PER_UNIT_UACT) {
      throw DomainInputError.of(
        "budget.targetUsdPerDay",
        input.budget.targetUsdPerDay,
        `is too large: ${service} would be priced at ${amount} uact per block, over the chain's limit of ${MAX_PRICE_PER_UNIT_UACT}`,
      );
    }
  }
  return pricing;
}

function extraEnvFrom(input: SdlInput, reserved: ReadonlySet<string>): SdlSpec["extraEnv"] {
  const entries = sortedEntries("extraEnv", input.extraEnv, ENV_NAME);
  for (const [name] of entries) {
    if (reserved.has(name)) {
      throw DomainInputError.of(
        `extraEnv.${name}`,
        input.extraEnv?.[name],
        "must not redefine a generated env name",
      );
    }
    if (SECRET_LOOKING_NAME.test(name)) {
      throw new DomainInputError(
        `extraEnv.${name}`,
        REDACTED_MARKER,
        "extraEnv carries public values only; secrets enter through injectSecrets",
      );
    }
  }
  return entries;
}

/** Builds the SDL from public inputs. Throws DomainInputError for any invalid input. */
export function generateSdlTemplate(input: SdlInput): SdlTemplate {
  if (typeof input !== "object" || input === null) {
    throw DomainInputError.of("input", input, "must be an object");
  }
  const resources = sizeFrom(input);
  const identity = validateIdentity(input.identity);
  const base: SdlSpec = {
    identity: { ...identity, parentAgentId: identity.parentAgentId ?? null },
    image: validateImage(input.image),
    resources,
    profile: validateProfile(input.profile),
    placement: validatePlacement(input.placement),
    pricing: pricingFor(input, resources),
    extraEnv: [],
    instance: validateInstanceEnv(input, identity.network),
  };
  const generatedNames = new Set([
    ...relayEnvEntries(base, () => REDACTED_MARKER).map(([name]) => name),
    ...INSTANCE_ENV_NAMES,
  ]);
  return new SdlTemplate({ ...base, extraEnv: extraEnvFrom(input, generatedNames) });
}

/** The deployable SDL: the template with the secrets filled in. The only way to one. */
export function injectSecrets(template: SdlTemplate, secrets: SdlSecrets): DeployableSdl {
  const spec = specOf(template);
  const valid = validateSdlSecrets(secrets);
  return new DeployableSdl(
    template,
    renderSdlYaml(spec, (name) => valid[name]),
  );
}
