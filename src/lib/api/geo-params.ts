import { z } from "@hono/zod-openapi";

/** A plain decimal: no exponent, no Infinity, no NaN, no hex. */
const DECIMAL = /^-?\d{1,3}(?:\.\d{1,12})?$/;

function coordinate(name: string, bound: number, example: number) {
  return z
    .string()
    .trim()
    .regex(DECIMAL, `must be a decimal number of degrees such as ${example}`)
    .transform(Number)
    .pipe(z.number().min(-bound, `must be between -${bound} and ${bound}`).max(bound, `must be between -${bound} and ${bound}`))
    .openapi({ example: String(example), description: `WGS 84 ${name} in decimal degrees, −${bound} to ${bound}.` });
}

export const LatitudeParam = coordinate("latitude", 90, 47.2173);
export const LongitudeParam = coordinate("longitude", 180, -1.5534);

const PAIR = /^(-?\d{1,3}(?:\.\d{1,12})?),(-?\d{1,3}(?:\.\d{1,12})?)$/;

/** `near=lat,lon` rounds to 0.01° (about 1 km): enough to rank by distance, coarse enough to share cache entries. */
export const NEAR_GIVEN_STEP = 0.01;
/** `near=auto` uses Cloudflare's location of the caller, snapped to the centre of a 0.5° cell (about 55 × 37 km in France). */
export const NEAR_AUTO_STEP = 0.5;

export type NearInput = "auto" | { latitude: number; longitude: number };

export const NearParam = z
  .string()
  .trim()
  .transform((value, context): NearInput => {
    if (value === "auto") return "auto";
    const match = PAIR.exec(value);
    const [latitude, longitude] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
    if (!(Math.abs(latitude) <= 90 && Math.abs(longitude) <= 180)) {
      context.addIssue({ code: "custom", message: "must be `lat,lon` in decimal degrees (latitude −90 to 90, longitude −180 to 180), such as 47.22,-1.55, or `auto`" });
      return z.NEVER;
    }
    return { latitude, longitude };
  })
  .openapi({
    type: "string",
    example: "47.22,-1.55",
    description:
      "Bias the ranking towards a point: `lat,lon` (rounded to 0.01°), or `auto` for the caller's approximate location from Cloudflare (`request.cf`), snapped to a 0.5° grid cell. Among homonyms the nearest comes first and short prefixes favour nearby places, but a large city the user is clearly typing stays in the first three. Without it nothing changes.",
  });

const snap = (value: number, step: number, offset: number) => Math.round((Math.floor(value / step) * step + offset) * 1e6) / 1e6;

/** The point a biased search uses, or undefined when `auto` finds no location on the request. */
export function resolveNear(near: NearInput, requestCf: object | undefined): { latitude: number; longitude: number } | undefined {
  const cf = requestCf as { latitude?: unknown; longitude?: unknown } | undefined;
  if (near !== "auto") {
    return { latitude: Math.round(near.latitude / NEAR_GIVEN_STEP) / 100, longitude: Math.round(near.longitude / NEAR_GIVEN_STEP) / 100 };
  }
  const latitude = Number(cf?.latitude);
  const longitude = Number(cf?.longitude);
  if (cf?.latitude === undefined || cf?.longitude === undefined || !Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
  return { latitude: snap(latitude, NEAR_AUTO_STEP, NEAR_AUTO_STEP / 2), longitude: snap(longitude, NEAR_AUTO_STEP, NEAR_AUTO_STEP / 2) };
}
