import fs from "node:fs";
import path from "node:path";

// What the dev tests share: a postmortem's text, writing into a project, fetching a page.

/** A valid postmortem dated 2024-05-02; `extra` is more frontmatter. */
export const postmortemText = (title: string, extra = "") => `---
title: "${title}"
date: 2024-05-02
severity: SEV2
services: [cache]
status: final
${extra}---

## Issue Summary

The cache fell over.

## Timeline

- 10:00 it broke

## Root Cause and Resolution

Too many keys.

## Corrective and Preventative Measures

- [ ] Fewer keys
`;

/** Writes a file of a project, making its folders. */
export function writeFile(project: string, relPath: string, contents: string): void {
  const file = path.join(project, relPath);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, contents);
}

/** A page's status and text. */
export async function fetchPage(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}
