import { describe, expect, it } from "vitest";
import {
  attributeMatches,
  type BidderRecord,
  couldBid,
  type GroupBidRequirements,
  type KeyValueAttribute,
  matchesPlacement,
  matchesResourceCapabilities,
} from "../../../src/domain/index.js";
import { address } from "./fixtures.js";

/**
 * Cases from the chain's rules for MsgCreateBid (chain-sdk go/node/deployment/v1beta4 GroupSpec
 * MatchRequirements / MatchResourcesRequirements, go/node/types/attributes/v1, Go's filepath.Match).
 */

const OWNER = address("q");
const PROVIDER = address("p");
const AUDITOR_A = address("a");
const AUDITOR_B = address("c");

const attrs = (entries: Record<string, string>): KeyValueAttribute[] =>
  Object.entries(entries).map(([key, value]) => ({ key, value }));

const spec = (overrides: Partial<GroupBidRequirements> = {}): GroupBidRequirements => ({
  attributes: [],
  signedBy: { allOf: [], anyOf: [] },
  resources: [{ storage: [{ attributes: [] }], gpu: { units: 0, attributes: [] } }],
  ...overrides,
});

const provider = (
  attributes: Record<string, string>,
  audits: { auditor: string; attributes: Record<string, string> }[] = [],
  owner = PROVIDER,
): BidderRecord => ({
  owner,
  attributes: attrs(attributes),
  audits: audits.map((audit) => ({ auditor: audit.auditor, attributes: attrs(audit.attributes) })),
});

const match = (key: string, offered: string) =>
  attributeMatches({ key, value: "v" }, { key: offered, value: "v" });

describe("attribute keys match as Go's filepath.Match patterns", () => {
  it("matches a plain key exactly, and only with the same value", () => {
    expect(match("region", "region")).toBe(true);
    expect(match("region", "regions")).toBe(false);
    expect(attributeMatches({ key: "region", value: "eu" }, { key: "region", value: "us" })).toBe(false);
  });

  it("`*` matches any run of characters but `/`", () => {
    expect(match("capabilities/gpu/*", "capabilities/gpu/vendor")).toBe(true);
    expect(match("capabilities/gpu/*", "capabilities/gpu/")).toBe(true);
    expect(match("capabilities/gpu/*", "capabilities/gpu/vendor/nvidia")).toBe(false);
    expect(match("loc*", "location-region")).toBe(true);
    expect(match("*", "a/b")).toBe(false);
  });

  it("`?` matches one character but `/`", () => {
    expect(match("tier?", "tier1")).toBe(true);
    expect(match("tier?", "tier")).toBe(false);
    expect(match("tier?", "tier12")).toBe(false);
    expect(match("a?b", "a/b")).toBe(false);
  });

  it("character classes, escapes and regex characters as Go reads them", () => {
    expect(match("tier[0-9]", "tier7")).toBe(true);
    expect(match("tier[^0-9]", "tier7")).toBe(false);
    expect(match("tier[^0-9]", "tierx")).toBe(true);
    expect(match("a\\*b", "a*b")).toBe(true);
    expect(match("a\\*b", "axb")).toBe(false);
    expect(match("a.b", "axb")).toBe(false);
    expect(match("a.b", "a.b")).toBe(true);
    expect(match("a-(b)+", "a-(b)+")).toBe(true);
  });

  it("a malformed pattern (Go's ErrBadPattern) matches nothing", () => {
    expect(match("tier[", "tier[")).toBe(false);
    expect(match("tier[]", "tier]")).toBe(false);
    expect(match("tier[9-0]", "tier5")).toBe(false);
    expect(match("tier\\", "tier\\")).toBe(false);
  });
});

describe("placement requirements (GroupSpec.MatchRequirements)", () => {
  const region = attrs({ "location-region": "eu-central" });

  it("without signedBy: the attributes against the provider's own", () => {
    const requirements = spec({ attributes: region });
    expect(matchesPlacement(requirements, provider({ "location-region": "eu-central", tier: "x" }))).toBe(
      true,
    );
    expect(matchesPlacement(requirements, provider({ "location-region": "na-us-west" }))).toBe(false);
    expect(matchesPlacement(spec(), provider({}))).toBe(true);
  });

  it("with signedBy: an auditor's signature is needed, the provider's own attributes do not count", () => {
    const requirements = spec({ attributes: region, signedBy: { allOf: [], anyOf: [AUDITOR_A] } });
    expect(matchesPlacement(requirements, provider({ "location-region": "eu-central" }))).toBe(false);
    expect(
      matchesPlacement(
        requirements,
        provider({}, [{ auditor: AUDITOR_A, attributes: { "location-region": "eu-central" } }]),
      ),
    ).toBe(true);
    // Signed, but not the attributes asked for.
    expect(
      matchesPlacement(
        requirements,
        provider({ "location-region": "eu-central" }, [{ auditor: AUDITOR_A, attributes: { tier: "x" } }]),
      ),
    ).toBe(false);
  });

  it("signedBy with no attributes asks only for a signature by the auditor", () => {
    const requirements = spec({ signedBy: { allOf: [], anyOf: [AUDITOR_A] } });
    expect(matchesPlacement(requirements, provider({}, [{ auditor: AUDITOR_A, attributes: {} }]))).toBe(true);
    expect(matchesPlacement(requirements, provider({}, [{ auditor: AUDITOR_B, attributes: {} }]))).toBe(
      false,
    );
  });

  it("allOf needs every auditor; anyOf one of them; both together need both rules", () => {
    const signedByBoth = provider({}, [
      { auditor: AUDITOR_A, attributes: { "location-region": "eu-central" } },
      { auditor: AUDITOR_B, attributes: { "location-region": "eu-central" } },
    ]);
    const signedByA = provider({}, [{ auditor: AUDITOR_A, attributes: { "location-region": "eu-central" } }]);
    const allOf = spec({ attributes: region, signedBy: { allOf: [AUDITOR_A, AUDITOR_B], anyOf: [] } });
    expect(matchesPlacement(allOf, signedByBoth)).toBe(true);
    expect(matchesPlacement(allOf, signedByA)).toBe(false);

    const anyOf = spec({ attributes: region, signedBy: { allOf: [], anyOf: [AUDITOR_B, AUDITOR_A] } });
    expect(matchesPlacement(anyOf, signedByA)).toBe(true);

    const both = spec({ attributes: region, signedBy: { allOf: [AUDITOR_A], anyOf: [AUDITOR_B] } });
    expect(matchesPlacement(both, signedByBoth)).toBe(true);
    expect(matchesPlacement(both, signedByA)).toBe(false);
  });

  it("wildcard placement keys match the signed keys", () => {
    const requirements = spec({
      attributes: attrs({ "location-*": "eu-central" }),
      signedBy: { allOf: [AUDITOR_A], anyOf: [] },
    });
    expect(
      matchesPlacement(
        requirements,
        provider({}, [{ auditor: AUDITOR_A, attributes: { "location-region": "eu-central" } }]),
      ),
    ).toBe(true);
  });
});

describe("resource capabilities (GroupSpec.MatchResourcesRequirements)", () => {
  const persistent = (cls: string) =>
    spec({
      resources: [
        {
          storage: [{ attributes: [] }, { attributes: attrs({ persistent: "true", class: cls }) }],
          gpu: { units: 0, attributes: [] },
        },
      ],
    });
  const storageProvider = provider({
    "capabilities/storage/1/class": "beta1",
    "capabilities/storage/1/persistent": "false",
    "capabilities/storage/2/class": "beta2",
    "capabilities/storage/2/persistent": "true",
  });

  it("a volume's attributes must all be in one of the provider's storage groups", () => {
    expect(matchesResourceCapabilities(persistent("beta2"), storageProvider)).toBe(true);
    expect(matchesResourceCapabilities(persistent("beta3"), storageProvider)).toBe(false);
    // class beta1 exists, but not as persistent: the two attributes sit in different groups.
    expect(matchesResourceCapabilities(persistent("beta1"), storageProvider)).toBe(false);
  });

  it("volumes without attributes ask nothing; a provider with no storage capabilities serves them", () => {
    expect(matchesResourceCapabilities(spec(), provider({}))).toBe(true);
    expect(matchesResourceCapabilities(persistent("beta2"), provider({}))).toBe(false);
  });

  it("storage groups are `capabilities/storage/<n>/<key>` exactly", () => {
    const nested = provider({
      "capabilities/storage/1/class/extra": "beta2",
      "capabilities/storage/1/persistent": "true",
    });
    expect(matchesResourceCapabilities(persistent("beta2"), nested)).toBe(false);
  });

  const gpu = (units: number, entries: Record<string, string>) =>
    spec({ resources: [{ storage: [], gpu: { units, attributes: attrs(entries) } }] });
  const nvidia = provider({
    "capabilities/gpu/vendor/nvidia/model/a100": "true",
    "capabilities/gpu/vendor/nvidia/model/t4/ram/16Gi": "true",
  });

  it("GPUs: one of the asked models among the provider's, `*` not crossing a `/`", () => {
    expect(matchesResourceCapabilities(gpu(1, { "vendor/nvidia/model/a100": "true" }), nvidia)).toBe(true);
    expect(
      matchesResourceCapabilities(
        gpu(1, { "vendor/nvidia/model/h100": "true", "vendor/nvidia/model/a100": "true" }),
        nvidia,
      ),
    ).toBe(true);
    expect(matchesResourceCapabilities(gpu(1, { "vendor/nvidia/model/*": "true" }), nvidia)).toBe(true);
    expect(matchesResourceCapabilities(gpu(1, { "vendor/amd/model/*": "true" }), nvidia)).toBe(false);
    // `model/*` does not reach a model listed with its RAM.
    expect(
      matchesResourceCapabilities(
        gpu(1, { "vendor/nvidia/model/*": "true" }),
        provider({ "capabilities/gpu/vendor/nvidia/model/t4/ram/16Gi": "true" }),
      ),
    ).toBe(false);
    expect(matchesResourceCapabilities(gpu(1, { "vendor/nvidia/model/t4/ram/16Gi": "true" }), nvidia)).toBe(
      true,
    );
  });

  it("GPU attributes count only with GPU units, and no attributes means any GPU", () => {
    expect(matchesResourceCapabilities(gpu(0, { "vendor/amd/model/*": "true" }), nvidia)).toBe(true);
    expect(matchesResourceCapabilities(gpu(1, {}), provider({}))).toBe(true);
  });
});

describe("couldBid", () => {
  it("never the order's owner; otherwise placement and capabilities both", () => {
    const requirements = spec({ attributes: attrs({ tier: "premium" }) });
    expect(couldBid(requirements, provider({ tier: "premium" }), OWNER)).toBe(true);
    expect(couldBid(requirements, provider({ tier: "premium" }, [], OWNER), OWNER)).toBe(false);
    expect(couldBid(requirements, provider({ tier: "community" }), OWNER)).toBe(false);
    const storage = spec({
      attributes: attrs({ tier: "premium" }),
      resources: [
        { storage: [{ attributes: attrs({ class: "beta2" }) }], gpu: { units: 0, attributes: [] } },
      ],
    });
    expect(couldBid(storage, provider({ tier: "premium" }), OWNER)).toBe(false);
    expect(
      couldBid(storage, provider({ tier: "premium", "capabilities/storage/1/class": "beta2" }), OWNER),
    ).toBe(true);
  });
});
