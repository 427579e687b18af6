// Tests the relative links of README.md, DEVELOPMENT.md and docs/**/*.md: each names an existing file and, with an #anchor, a heading in it.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..");

function markdownFiles(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) return markdownFiles(full);
        return entry.name.endsWith(".md") ? [full] : [];
    });
}

/** Lines outside fenced code blocks, where a link or heading means something. */
function proseLines(text: string): string[] {
    let fenced = false;
    return text.split("\n").filter((line) => {
        if (/^\s*(```|~~~)/.test(line)) {
            fenced = !fenced;
            return false;
        }
        return !fenced;
    });
}

/** GitHub's heading anchor: lowercase, punctuation but '-' and '_' dropped, spaces to '-'. */
export function slug(heading: string): string {
    return heading
        .replace(/`/g, "")
        .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, "")
        .replace(/ /g, "-");
}

/** Every anchor of a file's headings, repeats numbered -1, -2 as GitHub numbers them. */
export function anchors(text: string): Set<string> {
    const seen = new Map<string, number>();
    const out = new Set<string>();
    for (const line of proseLines(text)) {
        const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
        if (!m) continue;
        const base = slug(m[1]);
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        out.add(n === 0 ? base : `${base}-${n}`);
    }
    return out;
}

/** Relative link targets ([text](target) and <img src>), without external URLs. */
export function relativeLinks(text: string): string[] {
    const links: string[] = [];
    for (const line of proseLines(text)) {
        const code = line.replace(/`[^`]*`/g, "");
        for (const m of code.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) links.push(m[1]);
    }
    return links.filter((l) => !/^[a-z][a-z0-9+.-]*:/i.test(l));
}

/** What is wrong with each link of one file, as "file: link: reason". */
export function brokenLinks(file: string): string[] {
    const text = fs.readFileSync(file, "utf8");
    const problems: string[] = [];
    for (const link of relativeLinks(text)) {
        const [target, anchor] = link.split("#", 2);
        const resolved = target === "" ? file : path.resolve(path.dirname(file), decodeURIComponent(target));
        const name = `${path.relative(ROOT, file)}: ${link}`;
        if (!fs.existsSync(resolved)) {
            problems.push(`${name}: no file ${path.relative(ROOT, resolved)}`);
            continue;
        }
        if (anchor === undefined) continue;
        if (!resolved.endsWith(".md")) {
            problems.push(`${name}: an anchor into a file that is not markdown`);
            continue;
        }
        if (!anchors(fs.readFileSync(resolved, "utf8")).has(anchor)) {
            problems.push(`${name}: no heading #${anchor} in ${path.relative(ROOT, resolved)}`);
        }
    }
    return problems;
}

describe("docs links", () => {
    const files = [path.join(ROOT, "README.md"), path.join(ROOT, "DEVELOPMENT.md"), ...markdownFiles(path.join(ROOT, "docs"))];

    it("slugs headings as GitHub does", () => {
        assert.equal(slug("Day 2: the operator's commands"), "day-2-the-operators-commands");
        assert.equal(slug("What stays on `pulumi destroy`"), "what-stays-on-pulumi-destroy");
        assert.equal(slug("The production phase: prod's gates at production's timings"), "the-production-phase-prods-gates-at-productions-timings");
        assert.equal(slug("`apps` (a list)"), "apps-a-list");
        assert.deepEqual([...anchors("# A\n## Proof\n```\n# not a heading\n```\n## Proof\n")], ["a", "proof", "proof-1"]);
    });

    it("finds a broken link and a broken anchor", () => {
        const dir = fs.mkdtempSync(path.join(require("os").tmpdir(), "docs-links-"));
        const file = path.join(dir, "a.md");
        fs.writeFileSync(path.join(dir, "b.md"), "# B\n\n## Use it\n");
        fs.writeFileSync(file, "[ok](b.md#use-it) [gone](c.md) [bad](b.md#limits) [self](#a) [web](https://example.com/x.md)\n\n# A\n");
        assert.deepEqual(
            brokenLinks(file).map((p) => p.split(": ")[1]),
            ["c.md", "b.md#limits"],
        );
    });

    for (const file of files) {
        it(`every relative link of ${path.relative(ROOT, file)} resolves`, () => {
            assert.deepEqual(brokenLinks(file), []);
        });
    }

    it("every docs page but the generated ones has the common shape", () => {
        const shape = ["What it does", "Use it", "Options", "What you see", "How it works", "Proof", "Limits"];
        const generated = new Set(["bench.md", "exposure-notes.md"]);
        const pages = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md") && !generated.has(f));
        for (const page of pages) {
            const headings = proseLines(fs.readFileSync(path.join(ROOT, "docs", page), "utf8"))
                .filter((l) => /^## /.test(l))
                .map((l) => l.slice(3).trim());
            assert.deepEqual(headings, shape, page);
        }
    });
});
