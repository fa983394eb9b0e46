import fs from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { build } from "../../src/build.js";
import { repoRoot, tempDir } from "../helpers.js";
import { searchOf } from "../search-of.js";

async function built(fixture: string) {
  const root = path.join(tempDir(), "archive");
  fs.cpSync(path.join(repoRoot, "test/fixtures/languages", fixture), root, { recursive: true });
  const result = await build({ root, offline: true });
  expect(result.ok).toBe(true);
  return path.join(root, "dist");
}

describe("an archive in German (language: de)", () => {
  let out: string;
  beforeAll(async () => {
    out = await built("de");
  });

  it("stems German words, in the index and in the browser", async () => {
    const { stemmer, titles } = await searchOf(out);
    expect(stemmer("Verbindungen".toLowerCase())).toBe(stemmer("verbindung"));
    expect(await titles("Datenbanken")).toEqual(["Ausfall der Kundendatenbank"]);
    expect(await titles("zertifikate")).toEqual(["Abgelaufenes Zertifikat am Lastverteiler"]);
    // No English stopwords: "die" is a German word like any other here.
    expect((await titles("die")).length).toBe(2);
  });

  it("says its language in every page", () => {
    expect(fs.readFileSync(path.join(out, "index.html"), "utf8")).toMatch(/<html lang="de">/);
  });

  it("offers a configured taxonomy as a filter, with counts, and finds its values", async () => {
    const { meta, titles } = await searchOf(out);
    expect(meta.facets.abteilung).toMatchObject({
      label: "Abteilung",
      values: [
        ["Plattform", 1],
        ["Zahlungsverkehr", 1],
      ],
    });
    const page = fs.readFileSync(path.join(out, "search/index.html"), "utf8");
    expect(page).toMatch(/<legend>Abteilung<\/legend>/);
    expect(page).toMatch(/<input type="checkbox" name="abteilung" value="Zahlungsverkehr">/);
    expect(await titles("zahlungsverkehr")).toEqual(["Ausfall der Kundendatenbank"]);
  });
});

describe("a mapped field (fields.map)", () => {
  it("is indexed and filtered under the field it is mapped to", async () => {
    const root = path.join(tempDir(), "archive");
    fs.cpSync(path.join(repoRoot, "test/fixtures/languages/de"), root, { recursive: true });
    const configFile = path.join(root, "hindsight.config.json");
    fs.writeFileSync(
      configFile,
      JSON.stringify({ ...JSON.parse(fs.readFileSync(configFile, "utf8")), fields: { required: ["title"], map: { abteilung: "bereich" } } }),
    );
    const file = path.join(root, "content/2024-06-11-zertifikat.md");
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("abteilung: Plattform", "bereich: Netzbetrieb"));
    expect((await build({ root, offline: true })).ok).toBe(true);
    const { meta, titles } = await searchOf(path.join(root, "dist"));
    expect(meta.facets.abteilung!.values).toEqual([
      ["Netzbetrieb", 1],
      ["Zahlungsverkehr", 1],
    ]);
    expect(await titles("netzbetrieb")).toEqual(["Abgelaufenes Zertifikat am Lastverteiler"]);
  });
});

describe("an archive in Japanese (language: ja)", () => {
  it("finds words in text without spaces, by character pairs", async () => {
    const out = await built("ja");
    const { titles } = await searchOf(out);
    expect(await titles("障害")).toEqual(["決済データベースの接続障害"]);
    expect(await titles("データベース")).toEqual(["決済データベースの接続障害"]);
    expect(await titles("東京 遅延")).toEqual(["東京リージョンの配信遅延"]);
    expect(await titles("東京 障害")).toEqual([]);
  });
});
