/**
 * The boundary between Hindsight and a terminal or CI log. Values printed there (frontmatter in
 * messages, file names, paths from arguments) are content: a terminal acts on the control
 * characters in them (ESC sequences set the title, clear the screen, with OSC 52 write the
 * clipboard), and a CI runner reads a line that begins with `::` as a command (GitHub Actions
 * annotations, `::add-mask::`, `::stop-commands::`). Everything printed goes through here.
 */

// Control characters (C0, DEL, C1), format characters (bidi controls, zero-width characters,
// the byte order mark, tags) and the line and paragraph separators: a terminal acts on them,
// or they hide or reorder the text around them ("Trojan Source").
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;

/**
 * A value as it may be printed within a line: each character of `UNSAFE` shown as `\xNN` up
 * to U+00FF (`\x1b`, `\x0a`, `\x9b`), `\uNNNN` above (`\u202e`), `\u{NNNNN}` beyond the BMP.
 */
export function escapeTerminal(text: string): string {
  return text
    .replace(UNSAFE, (char) => {
      const code = char.codePointAt(0) ?? 0;
      if (code <= 0xff) return `\\x${code.toString(16).padStart(2, "0")}`;
      if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, "0")}`;
      return `\\u{${code.toString(16)}}`;
    })
    .replace(OLD_COMMAND, "#\\x23");
}

/**
 * The runners' older command syntax, found anywhere in a line: `##[add-mask]…` (GitHub
 * Actions), `##vso[…]` (Azure Pipelines). Its second `#` is shown escaped.
 */
const OLD_COMMAND = /##(?=\[|vso\[)/giu;

/**
 * An error message, which may quote values and also have detail lines of its own (a config
 * error lists its problems, a stack its frames). Those are indented (or close an inspected
 * error with `}`): a line break is kept before such a line and shown as `\x0a` before any other.
 * Each line is escaped, and one that would still begin with `::` (after white space, which the
 * runner skips) gets its first colon shown as `\x3a`.
 */
export function escapeTerminalLines(text: string): string {
  return text
    .split(/\n(?=[ \t}])/u)
    .map((line) => escapeTerminal(line).replace(/^(\s*)::/u, "$1\\x3a:"))
    .join("\n");
}

/**
 * JSON for stdout: JSON.stringify escapes C0 only, so DEL, C1, format characters and the
 * separators are written as `\uNNNN` escapes too. A JSON parser reads back the same value.
 */
export function stringifyForTerminal(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space)
    .replace(/[\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}]/gu, (char) =>
      // A character beyond the BMP is written as its two UTF-16 code units, as JSON spells it.
      Array.from({ length: char.length }, (_, i) => `\\u${char.charCodeAt(i).toString(16).padStart(4, "0")}`).join(""),
    )
    .replace(OLD_COMMAND, "#\\u0023");
}
