import { z } from "zod";
import { isImageTag, parseImageReference } from "../../domain/index.js";
import { type ControlRoute, controlRoute } from "../control-api.js";
import type { FailingImages } from "./failing-images.js";

const imageBody = z.object({
  image: z
    .string()
    .min(1)
    .refine((image) => isImageTag(parseImageReference(image).tag ?? ""), {
      message: "give the image with its tag, repository:tag (e.g. ghcr.io/akash-agent/agent-relay:0.2.0)",
    }),
});

/** `POST /images/fail` and `POST /images/heal` `{ image: "repository:tag" }`. */
export function failingImageRoutes(images: FailingImages): Record<string, ControlRoute> {
  return {
    "POST /images/fail": controlRoute(imageBody, async ({ image }) => ({
      ...(await images.fail(image)),
      failing: images.list(),
    })),
    "POST /images/heal": controlRoute(imageBody, async ({ image }) => ({
      ...(await images.heal(image)),
      failing: images.list(),
    })),
  };
}
