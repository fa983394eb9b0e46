import type { VFile } from "vfile";
import type { RuleSetting } from "../config.js";

/**
 * Applies the config's rule settings, as ESLint does: `"off"` drops a rule's messages, `"warn"`
 * and `"error"` set their severity (over a draft's leniency too); a rule not named keeps its own.
 * Run once over the final messages of every file, so that per-file rules, stage problems and the
 * rules across files are all covered, and cached records stay independent of the settings.
 */
export function applyRuleSettings(files: readonly VFile[], settings: Readonly<Record<string, RuleSetting>>): void {
  if (Object.keys(settings).length === 0) return;
  for (const file of files) {
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
