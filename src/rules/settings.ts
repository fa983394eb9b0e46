import picomatch from "picomatch";
import type { VFile } from "vfile";
import type { ResolvedConfig, RuleSetting } from "../config.js";

/**
 * Applies the config's rule settings, as ESLint does: `"off"` drops a rule's messages, `"warn"`
 * and `"error"` set their severity (over a draft's leniency too); a rule not named keeps its own.
 * `overrides` set rules for the files their globs match (relative to the content folder), a
 * later entry over an earlier one and over `rules`. Run once over the final messages of every
 * file, so that per-file rules, stage problems and the rules across files are all covered, and
 * cached records stay independent of the settings.
 */
export function applyRuleSettings(
  files: readonly { readonly file: VFile; readonly relPath: string }[],
  config: Pick<ResolvedConfig, "rules" | "overrides">,
): void {
  const overrides = config.overrides.map((o) => ({ matches: picomatch([...o.files], { dot: true }), rules: o.rules }));
  if (Object.keys(config.rules).length === 0 && overrides.length === 0) return;
  for (const { file, relPath } of files) {
    const settings: Record<string, RuleSetting> = { ...config.rules };
    for (const o of overrides) if (o.matches(relPath)) Object.assign(settings, o.rules);
    file.messages = file.messages.filter((message) => settingOf(message.ruleId, settings) !== "off");
    for (const message of file.messages) {
      const setting = settingOf(message.ruleId, settings);
      if (setting === "warn") message.fatal = false;
      else if (setting === "error") message.fatal = true;
    }
  }
}

function settingOf(ruleId: string | undefined, settings: Readonly<Record<string, RuleSetting>>): RuleSetting | undefined {
  return ruleId !== undefined && Object.hasOwn(settings, ruleId) ? settings[ruleId] : undefined;
}
