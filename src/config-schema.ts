import { z } from "zod";
import { EXTRACTORS, type UserConfig } from "./config.js";
import { SECTION_ROLES } from "./config-defaults.js";
import { RESERVED_PATHS } from "./config-load.js";
import { UsageError } from "./errors.js";
import { RULE_IDS } from "./rules/ids.js";

const text = z.string().trim().min(1, "expected a non-empty string");
const severityLevel = z.union([text, z.strictObject({ id: text, label: text.optional(), color: text.optional(), aliases: z.array(text).optional() })]);
const section = z.strictObject({ name: text, aliases: z.array(text).optional(), required: z.boolean().optional(), role: z.enum(SECTION_ROLES).optional() });
const ruleSettings = z.record(text, z.enum(["off", "warn", "error"], { error: 'expected "off", "warn" or "error"' }));
const glob = text.refine((g) => !g.startsWith("/") && !g.split("/").includes(".."), "expected a glob relative to the content folder, without `..`");
const key = text.regex(/^[a-z][a-z0-9_-]*$/, "expected a lowercase key such as `company`");

/** The schema of a config file: every key optional, nothing unknown. */
export const userConfigSchema = z
  .strictObject({
    title: text.optional(),
    url: z.url({ protocol: /^https?$/, error: "expected an absolute http(s) URL" }).optional(),
    content: text.optional(),
    out: text.optional(),
    theme: text.optional(),
    public: text.optional(),
    severities: z.array(severityLevel).min(1, "expected at least one level").optional(),
    fields: z
      .strictObject({ required: z.array(key), map: z.record(key, text) })
      .partial()
      .optional(),
    include: z.array(glob).min(1, "expected at least one glob").optional(),
    exclude: z.array(glob).optional(),
    rules: ruleSettings.optional(),
    overrides: z.array(z.strictObject({ files: z.array(glob).min(1, "expected at least one glob"), rules: ruleSettings })).optional(),
    extract: z.partialRecord(z.enum(EXTRACTORS), z.boolean()).optional(),
    sections: z.array(section).optional(),
    taxonomies: z
      .array(key.refine((k) => !(RESERVED_PATHS as readonly string[]).includes(k), `expected a name other than ${RESERVED_PATHS.join(", ")}`))
      .optional(),
    language: text.regex(/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i, "expected a language tag such as `en`, `de` or `pt-BR`").optional(),
    search: z.strictObject({ typos: z.boolean() }).partial().optional(),
    images: z
      .strictObject({
        remote: z.boolean(),
        timeoutMs: z.number().int().positive().max(600_000, "expected at most 600000 (10 minutes)"),
        maxBytes: z
          .number()
          .int()
          .positive()
          .max(1024 ** 3, "expected at most 1 GiB"),
        concurrency: z.number().int().min(1).max(64),
        roots: z.array(text),
        allowHosts: z.array(text.regex(/^[^\s/:@]+$|^\[[0-9a-f:.]+\]$/i, "expected a host name or address, without scheme, port or path")),
      })
      .partial()
      .optional(),
    limits: z
      .strictObject({
        fileBytes: z.number().int().positive(),
        fileMs: z.number().int().positive().max(3_600_000, "expected at most 3600000 (an hour)"),
        dataBytes: z.number().int().nonnegative(),
        dataTotalBytes: z.number().int().nonnegative(),
        downloadBytes: z.number().int().nonnegative(),
        downloadMs: z.number().int().nonnegative(),
        terms: z.number().int().positive(),
        outputBytes: z.number().int().positive(),
      })
      .partial()
      .optional(),
    editUrl: z
      .string()
      .refine((u) => /^https?:\/\/.+\{path\}/.test(u), "expected an http(s) URL containing {path}")
      .optional(),
  })
  .superRefine((config, context) => {
    // Names that must mean one thing: a taxonomy, a section heading, a severity spelling.
    const unique = (key: string, names: string[]) => {
      const seen = new Set<string>();
      for (const name of names.map((n) => n.toLowerCase().replace(/[\s_-]+/g, ""))) {
        if (seen.has(name)) context.addIssue({ code: "custom", path: [key], message: `expected each name once, \`${name}\` appears twice` });
        seen.add(name);
      }
    };
    if (config.taxonomies) unique("taxonomies", config.taxonomies);
    if (config.sections)
      unique(
        "sections",
        config.sections.flatMap((s) => [s.name, ...(s.aliases ?? [])]),
      );
    if (config.severities)
      unique(
        "severities",
        config.severities.flatMap((l) => (typeof l === "string" ? [l] : [l.id, ...(l.aliases ?? [])])),
      );
    const settings: [(string | number)[], Record<string, unknown>][] = [
      [["rules"], config.rules ?? {}],
      ...(config.overrides ?? []).map((o, i): [(string | number)[], Record<string, unknown>] => [["overrides", i, "rules"], o.rules]),
    ];
    for (const [at, rules] of settings)
      for (const id of Object.keys(rules)) {
        if (!RULE_IDS.includes(id))
          context.addIssue({ code: "custom", path: [...at, id], message: `unknown rule id \`${id}\`; known rule ids: ${RULE_IDS.join(", ")}` });
      }
  });

/** Validates a config object against the schema; `origin` names it in the error (a file, "options"). */
export function validateUserConfig(raw: unknown, origin: string): UserConfig {
  let parsed: ReturnType<typeof userConfigSchema.safeParse>;
  try {
    parsed = userConfigSchema.safeParse(raw ?? {});
  } catch (error) {
    // A JS config is code: a getter or proxy in it can throw while it is read.
    throw new UsageError(`Cannot read config in ${origin}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${describeIssue(issue)}`);
    throw new UsageError(`Invalid config in ${origin}:\n${problems.join("\n")}`);
  }
  return parsed.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const at = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => (at ? `${at}.${k}` : k));
    return `Unknown key ${keys.map((k) => `\`${k}\``).join(", ")}; known keys: ${knownKeys(issue.path).join(", ")}`;
  }
  if (issue.code === "invalid_union") return `\`${at}\`: expected a level id or { id, label, color, aliases }`;
  return `\`${at || "(root)"}\`: ${issue.message.replace(/^Invalid input: /, "")}`;
}

function knownKeys(at: readonly PropertyKey[]): string[] {
  let shape: z.ZodType = userConfigSchema;
  for (const part of at) {
    const inner: z.ZodType = shape instanceof z.ZodOptional ? (shape.unwrap() as z.ZodType) : shape;
    if (!(inner instanceof z.ZodObject)) return [];
    shape = inner.shape[String(part)] as z.ZodType;
  }
  const inner = shape instanceof z.ZodOptional ? (shape.unwrap() as z.ZodType) : shape;
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}
