import fs from "node:fs";
import path from "node:path";
import {
  DEFAULT_IMAGES,
  DEFAULT_INCLUDE,
  DEFAULT_LIMITS,
  DEFAULT_REQUIRED_FIELDS,
  DEFAULT_SECTIONS,
  DEFAULT_SEVERITIES,
  SECTION_ROLES,
  severityColor,
} from "./config-defaults.js";

/** One level of the severity scale. */
export interface SeverityLevel {
  /** Identifier written in frontmatter, e.g. `SEV1`. */
  readonly id: string;
  /** Label shown to readers. @default the id */
  readonly label: string;
  /** Badge colour (any CSS colour). */
  readonly color: string;
  /** Other spellings that mean this level, e.g. `P1`, `critical`. */
  readonly aliases: readonly string[];
}

/** The role of a section. */
export type SectionRole = (typeof SECTION_ROLES)[number];

/** A section: a level-2 heading, matched by name or alias (or a prefix of one, `Details of …`). */
export interface SectionSpec {
  readonly name: string;
  readonly aliases: readonly string[];
  /** False: recognised (and given its role) without being required. @default true */
  readonly required: boolean;
  /** Its role; by default the role of its position in the default sections (summary, timeline, cause, actions). */
  readonly role: SectionRole | undefined;
}

/** A rule's setting, as ESLint has them. */
export type RuleSetting = "off" | "warn" | "error";

/** The extractors that read metadata missing from frontmatter out of the text (README, "Adopting an existing archive"). */
export const EXTRACTORS = ["date-from-path", "date-from-title", "date-from-timeline", "date-from-text", "labelled-lines", "authors", "summary-list"] as const;

/** An extractor's id. */
export type ExtractorId = (typeof EXTRACTORS)[number];

/** Configuration as a user writes it: every field optional. */
export interface UserConfig {
  /** Site title. @default "Postmortems" */
  title?: string;
  /** Absolute base URL, for the feed and sitemap. @default undefined */
  url?: string;
  /** Folder of postmortems, relative to the project root. @default "content" */
  content?: string;
  /** Output folder. @default "dist" */
  out?: string;
  /** Theme name (a folder under `themes/`) or a path to a theme folder. @default "default" */
  theme?: string;
  /** Folder copied verbatim to the output root. @default "public" */
  public?: string;
  /** Ordered severity scale, worst first. @default SEV1…SEV5 */
  severities?: Array<string | (Partial<SeverityLevel> & { id: string })>;
  /** Sections. @default Issue Summary, Timeline, Root Cause and Resolution, Corrective and Preventative Measures, each required */
  sections?: Array<{ name: string; aliases?: string[]; required?: boolean; role?: SectionRole }>;
  /** Frontmatter keys that get index pages. @default ["services", "severity", "tags"] */
  taxonomies?: string[];
  /** The archive's language, a BCP 47 tag (`en`, `de`, `pt-BR`, `ja`): the pages' `lang` and the search index's stemmer. @default "en" */
  language?: string;
  /** The search page. */
  search?: {
    /** Let the last word of a query match with one typo (words of 5 letters or more), ranked below exact matches. @default true */
    typos?: boolean;
  };
  /** Frontmatter rules. */
  fields?: {
    /** Fields every postmortem must have; `[]` turns the check off. @default ["title", "date", "severity", "services"] */
    required?: string[];
    /** Read a field from another frontmatter key: `{ date: "start_time", services: "affected" }`. @default {} */
    map?: Record<string, string>;
  };
  /** Postmortem files, as globs relative to the content folder. @default ["**\/*.md", "**\/*.markdown"] */
  include?: string[];
  /** Files left out (index pages, templates, READMEs), as globs relative to the content folder. @default [] */
  exclude?: string[];
  /** Rule settings by rule id, as ESLint has them: `{ "title/fallback": "off", "sections/missing": "warn" }`. @default {} */
  rules?: Record<string, RuleSetting>;
  /**
   * Rule settings for some files, as ESLint has them: `[{ files: ["2021-05/*.md"], rules: { "sections/missing": "warn" } }]`,
   * globs relative to the content folder; a later entry wins over an earlier one and over `rules`. @default []
   */
  overrides?: Array<{ files: string[]; rules: Record<string, RuleSetting> }>;
  /** Extractors of metadata from the text, by id; `false` switches one off. @default every one on */
  extract?: Partial<Record<ExtractorId, boolean>>;
  /** Images: remote downloads. @default { remote: true, timeoutMs: 10000, maxBytes: 10485760, concurrency: 8 } */
  images?: Partial<ImageOptions>;
  /** Link to edit a postmortem, `{path}` standing for its path in the repository. @default undefined */
  editUrl?: string;
  /** Budgets per postmortem and per build: exceeding one is an error at the file. @default see `DEFAULT_LIMITS` */
  limits?: Partial<Limits>;
}

/** How remote images are fetched. */
export interface ImageOptions {
  readonly remote: boolean;
  /** Time limit of one download. */
  readonly timeoutMs: number;
  /** Size cap of one downloaded image. */
  readonly maxBytes: number;
  /** Downloads at once. */
  readonly concurrency: number;
  /**
   * Hosts whose images are downloaded although they resolve to loopback, private, link-local,
   * unique-local or multicast addresses (refused by default: server-side request forgery).
   * Names as written in the URL, e.g. `grafana.corp.example` or `127.0.0.1`. @default []
   */
  readonly allowHosts: readonly string[];
  /**
   * Folders, relative to the project root, that local images may come from besides the
   * content folder and `public/` (a docs site's `_static/`). Never outside the project. @default []
   */
  readonly roots: readonly string[];
}

/** Budgets: what one postmortem, and one build, may cost. Each is an error at the file that exceeds it. */
export interface Limits {
  /** Largest Markdown file, in bytes. @default 1048576 (1 MB) */
  readonly fileBytes: number;
  /** Processing time of one postmortem (parse, rules, render), downloads aside, in ms. @default 10000 */
  readonly fileMs: number;
  /** Bytes of `data:` images in one postmortem, decoded. @default 10485760 (10 MB) */
  readonly dataBytes: number;
  /** Bytes of `data:` images in the whole build. @default 104857600 (100 MB) */
  readonly dataTotalBytes: number;
  /** Bytes downloaded for remote images in the whole build. @default 209715200 (200 MB) */
  readonly downloadBytes: number;
  /** Time all downloads of a build may take together, from the first, in ms. @default 120000 */
  readonly downloadMs: number;
  /** Terms one postmortem may give a taxonomy (services, tags, …). @default 100 */
  readonly terms: number;
  /** Bytes of the page one postmortem makes. @default 10485760 (10 MB) */
  readonly outputBytes: number;
}

/** Configuration after defaults are applied: what every stage reads. */
export interface ResolvedConfig {
  readonly root: string;
  readonly title: string;
  readonly url: string | undefined;
  readonly contentDir: string;
  readonly outDir: string;
  /** The theme's folder (where `--theme` points). */
  readonly themeDir: string;
  /** Folders a layout or asset is looked up in, first one first: the theme, then the default theme. */
  readonly themeDirs: readonly string[];
  readonly publicDir: string;
  /** Build cache (downloaded images, incremental state), `.cache/` at the root: safe to delete. */
  readonly cacheDir: string;
  readonly severities: readonly SeverityLevel[];
  readonly sections: readonly SectionSpec[];
  readonly taxonomies: readonly string[];
  /** BCP 47 tag of the archive's language. */
  readonly language: string;
  readonly search: { readonly typos: boolean };
  readonly requiredFields: readonly string[];
  /** Frontmatter key each field is read from, when not its own name. */
  readonly fieldMap: Readonly<Record<string, string>>;
  /** Globs of postmortem files, relative to the content folder. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** Rule settings by id; a rule not named keeps its own severity. */
  readonly rules: Readonly<Record<string, RuleSetting>>;
  /** Rule settings for the files some globs match (relative to the content folder), in order. */
  readonly overrides: readonly { readonly files: readonly string[]; readonly rules: Readonly<Record<string, RuleSetting>> }[];
  /** Which extractors run. */
  readonly extract: Readonly<Record<ExtractorId, boolean>>;
  readonly images: ImageOptions;
  readonly limits: Limits;
  readonly editUrl: string | undefined;
}

/** Identity helper that gives a config file type checking and editor completion. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

/** Applies defaults to a user config; paths are resolved against `root`. */
export function resolveConfig(user: UserConfig = {}, root: string = process.cwd()): ResolvedConfig {
  const themeName = user.theme ?? "default";
  const isPath = themeName.includes("/") || themeName.includes(path.sep) || themeName.startsWith(".");
  const themeDir = isPath ? path.resolve(root, themeName) : resolveNamedTheme(root, themeName);
  return Object.freeze({
    root,
    title: user.title ?? "Postmortems",
    url: user.url,
    contentDir: path.resolve(root, user.content ?? "content"),
    outDir: path.resolve(root, user.out ?? "dist"),
    themeDir,
    themeDirs: themeStack(themeDir, isPath ? undefined : themeName),
    publicDir: path.resolve(root, user.public ?? "public"),
    cacheDir: path.resolve(root, ".cache"),
    severities: user.severities ? user.severities.map(toSeverityLevel) : DEFAULT_SEVERITIES,
    sections: user.sections ? resolveSections(user.sections) : DEFAULT_SECTIONS,
    taxonomies: user.taxonomies ?? ["services", "severity", "tags"],
    language: user.language ?? "en",
    search: Object.freeze({ typos: user.search?.typos ?? true }),
    requiredFields: user.fields?.required ?? DEFAULT_REQUIRED_FIELDS,
    fieldMap: Object.freeze({ ...user.fields?.map }),
    include: Object.freeze([...(user.include ?? DEFAULT_INCLUDE)]),
    exclude: Object.freeze([...(user.exclude ?? [])]),
    rules: Object.freeze({ ...user.rules }),
    overrides: Object.freeze((user.overrides ?? []).map((o) => Object.freeze({ files: Object.freeze([...o.files]), rules: Object.freeze({ ...o.rules }) }))),
    extract: Object.freeze(Object.fromEntries(EXTRACTORS.map((id) => [id, user.extract?.[id] ?? true])) as Record<ExtractorId, boolean>),
    images: Object.freeze({
      ...DEFAULT_IMAGES,
      ...user.images,
      allowHosts: Object.freeze([...(user.images?.allowHosts ?? [])]),
      roots: Object.freeze((user.images?.roots ?? []).map((dir) => path.resolve(root, dir))),
    }),
    limits: Object.freeze({ ...DEFAULT_LIMITS, ...user.limits }),
    editUrl: user.editUrl,
  });
}

/**
 * Sections as configured: required unless said otherwise; a section without a role takes the
 * role its name or an alias has among the default sections (`Summary` → summary), else none.
 */
function resolveSections(specs: NonNullable<UserConfig["sections"]>): readonly SectionSpec[] {
  const squash = (text: string) => text.toLowerCase().replace(/\s+/g, " ").trim();
  const defaultRole = (names: readonly string[]) =>
    DEFAULT_SECTIONS.find((d) => [d.name, ...d.aliases].some((known) => names.some((name) => squash(name) === squash(known))))?.role;
  return Object.freeze(
    specs.map((spec) => {
      const aliases = Object.freeze([...(spec.aliases ?? [])]);
      return Object.freeze({ name: spec.name, aliases, required: spec.required ?? true, role: spec.role ?? defaultRole([spec.name, ...aliases]) });
    }),
  );
}

/** The bundled themes, shipped beside the compiled code. */
export const BUILTIN_THEMES_DIR = path.resolve(import.meta.dirname, "..", "themes");

function resolveNamedTheme(root: string, name: string): string {
  // A project's own themes/<name>/ wins over the bundled theme of the same name, file by file.
  const local = path.resolve(root, "themes", name);
  const bundled = path.join(BUILTIN_THEMES_DIR, name);
  return fs.existsSync(local) || !fs.existsSync(bundled) ? local : bundled;
}

/**
 * The folders a theme's files are looked up in: the theme itself, the bundled theme of that
 * name (which a project's `themes/<name>/` overrides file by file), then the default theme.
 */
function themeStack(themeDir: string, name: string | undefined): readonly string[] {
  const fallbacks = [name === undefined ? undefined : path.join(BUILTIN_THEMES_DIR, name), path.join(BUILTIN_THEMES_DIR, "default")];
  const found = fallbacks.filter((dir): dir is string => dir !== undefined && fs.existsSync(dir));
  return Object.freeze([...new Set([themeDir, ...found])]);
}

function toSeverityLevel(entry: string | (Partial<SeverityLevel> & { id: string }), index: number): SeverityLevel {
  const spec = typeof entry === "string" ? { id: entry } : entry;
  return Object.freeze({
    id: spec.id,
    label: spec.label ?? spec.id,
    color: spec.color ?? severityColor(index),
    aliases: spec.aliases ?? [],
  });
}
