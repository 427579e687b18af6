/**
 * SIGKILL of a process and everything it started, by PID: a runner that dies mid-`pulumi up`.
 * The CLI starts its plugins in process groups of their own, so signalling its group would miss them.
 */
import * as fs from "fs";

/** `root` and its descendants, parents first, from a PID -> parent PID table. */
export function descendants(root: number, parents: Map<number, number>): number[] {
    const tree = [root];
    for (let i = 0; i < tree.length; i++) for (const [pid, parent] of parents) if (parent === tree[i] && !tree.includes(pid)) tree.push(pid);
    return tree;
}

/** PID -> parent PID of every process, from /proc/<pid>/stat (the field after the command's closing parenthesis). */
export function processParents(): Map<number, number> {
    const parents = new Map<number, number>();
    for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
        } catch {
            // gone since the listing
        }
    }
    return parents;
}

/** Kills `root` and its descendants with SIGKILL, each by its PID; returns the PIDs signalled. */
export function killTree(root: number): number[] {
    const tree = descendants(root, processParents());
    for (const pid of tree) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
    return tree;
}
