// Parse Mermaid diagrams with Mermaid's own parser (mermaid.parse), as Obsidian
// and GitHub would before drawing them. Reads a JSON array of diagram texts on
// stdin; prints a JSON array of {ok, type} or {ok: false, error}.
// Mermaid's parser needs a DOM (DOMPurify), so jsdom provides one.
import { JSDOM } from "jsdom";

const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false });

let input = "";
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const text of JSON.parse(input)) {
  try {
    const r = await mermaid.parse(text);
    out.push({ ok: true, type: r.diagramType });
  } catch (e) {
    out.push({ ok: false, error: String((e && e.message) || e) });
  }
}
process.stdout.write(JSON.stringify(out));
