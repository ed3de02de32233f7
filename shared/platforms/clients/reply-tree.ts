/**
 * Platforms that answer with a whole conversation (Threads' `/conversation`, Mastodon's context,
 * Bluesky's thread) also return Herold's own posts in it: its answers to citizens, and the updates
 * and all-clears threaded under an alert. Replies under an update belong to that update's own
 * message, which is read on its own; replies under an answer still belong to this post.
 */

export interface ReplyNode {
  id: string;
  parentId: string;
  /** written by the channel's own account */
  own: boolean;
}

/**
 * The citizens' replies that belong to the post `rootId`: never the channel's own posts, and none
 * below an own post that continues the thread (an own post answering the root or another such
 * post). An own post answering a citizen is an answer, and what is written under it stays here.
 */
export function citizenReplies<T extends ReplyNode>(rootId: string, nodes: readonly T[]): T[] {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const continuesThread = new Map<string, boolean>();
  const isContinuation = (node: T): boolean => {
    const known = continuesThread.get(node.id);
    if (known !== undefined) return known;
    continuesThread.set(node.id, false); // a cycle in a broken answer ends here
    const parent = byId.get(node.parentId);
    const result = node.own && (node.parentId === rootId || (parent !== undefined && isContinuation(parent)));
    continuesThread.set(node.id, result);
    return result;
  };
  const belongs = (node: T): boolean => {
    const seen = new Set<string>();
    for (
      let current = byId.get(node.parentId);
      current && !seen.has(current.id);
      current = byId.get(current.parentId)
    ) {
      seen.add(current.id);
      if (isContinuation(current)) return false;
    }
    return true;
  };
  return nodes.filter((node) => !node.own && belongs(node));
}

/** The top-level reply (the one answering the root directly) of a reply's branch. */
export function topLevelOf<T extends ReplyNode>(rootId: string, node: T, byId: ReadonlyMap<string, T>): string {
  let current = node;
  const seen = new Set<string>();
  while (current.parentId !== rootId && !seen.has(current.id)) {
    seen.add(current.id);
    const parent = byId.get(current.parentId);
    if (!parent) break;
    current = parent;
  }
  return current.id;
}
