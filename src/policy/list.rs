//! A slab of doubly linked list nodes addressed by `u32` index: the O(1) queue every
//! recency/FIFO policy needs, without a heap allocation per node.
//!
//! One [`Slab`] can hold several lists (e.g. ARC's T1/T2/B1/B2); each list is a [`List`]
//! (head, tail, length) and a node belongs to at most one list at a time.

/// Index of a node in a [`Slab`].
pub type NodeId = u32;

const NIL: NodeId = u32::MAX;

#[derive(Debug, Clone)]
struct Node<T> {
    prev: NodeId,
    next: NodeId,
    value: T,
}

/// Storage for list nodes with a free list for reuse.
#[derive(Debug, Clone)]
pub struct Slab<T> {
    nodes: Vec<Node<T>>,
    free: Vec<NodeId>,
}

/// One list threaded through a [`Slab`]: `head` is the most recently pushed end.
#[derive(Debug, Clone, Copy)]
pub struct List {
    head: NodeId,
    tail: NodeId,
    len: usize,
}

impl Default for List {
    fn default() -> Self {
        List { head: NIL, tail: NIL, len: 0 }
    }
}

impl List {
    /// Number of nodes in the list.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when the list has no nodes.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The oldest node (the tail end), if any.
    pub fn back(&self) -> Option<NodeId> {
        (self.tail != NIL).then_some(self.tail)
    }

    /// The newest node (the head end), if any.
    pub fn front(&self) -> Option<NodeId> {
        (self.head != NIL).then_some(self.head)
    }
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab { nodes: Vec::new(), free: Vec::new() }
    }
}

impl<T> Slab<T> {
    /// A slab with room for `n` nodes before it reallocates.
    pub fn with_capacity(n: usize) -> Self {
        Slab { nodes: Vec::with_capacity(n), free: Vec::new() }
    }

    /// Allocates a node holding `value`, not yet in any list.
    pub fn alloc(&mut self, value: T) -> NodeId {
        let node = Node { prev: NIL, next: NIL, value };
        if let Some(id) = self.free.pop() {
            self.nodes[id as usize] = node;
            id
        } else {
            self.nodes.push(node);
            (self.nodes.len() - 1) as NodeId
        }
    }

    /// Returns an unlinked node to the free list.
    pub fn release(&mut self, id: NodeId) {
        self.free.push(id);
    }

    /// The value stored in node `id`.
    #[inline]
    pub fn get(&self, id: NodeId) -> &T {
        &self.nodes[id as usize].value
    }

    /// Mutable access to the value stored in node `id`.
    #[inline]
    pub fn get_mut(&mut self, id: NodeId) -> &mut T {
        &mut self.nodes[id as usize].value
    }

    /// The node after `id` towards the tail (older), if any.
    #[inline]
    pub fn next_older(&self, id: NodeId) -> Option<NodeId> {
        let n = self.nodes[id as usize].next;
        (n != NIL).then_some(n)
    }

    /// The node before `id` towards the head (newer), if any.
    #[inline]
    pub fn next_newer(&self, id: NodeId) -> Option<NodeId> {
        let p = self.nodes[id as usize].prev;
        (p != NIL).then_some(p)
    }

    /// Links an unlinked node at the head (newest end) of `list`.
    #[inline]
    pub fn push_front(&mut self, list: &mut List, id: NodeId) {
        let old = list.head;
        {
            let n = &mut self.nodes[id as usize];
            n.prev = NIL;
            n.next = old;
        }
        if old != NIL {
            self.nodes[old as usize].prev = id;
        } else {
            list.tail = id;
        }
        list.head = id;
        list.len += 1;
    }

    /// Unlinks node `id` from `list` (it must be in it); the node stays allocated.
    #[inline]
    pub fn unlink(&mut self, list: &mut List, id: NodeId) {
        let (prev, next) = {
            let n = &self.nodes[id as usize];
            (n.prev, n.next)
        };
        if prev != NIL {
            self.nodes[prev as usize].next = next;
        } else {
            list.head = next;
        }
        if next != NIL {
            self.nodes[next as usize].prev = prev;
        } else {
            list.tail = prev;
        }
        list.len -= 1;
    }

    /// Moves node `id` (already in `list`) to the head of `list`.
    #[inline]
    pub fn move_to_front(&mut self, list: &mut List, id: NodeId) {
        if list.head != id {
            self.unlink(list, id);
            self.push_front(list, id);
        }
    }

    /// Unlinks and returns the tail (oldest) node of `list`.
    #[inline]
    pub fn pop_back(&mut self, list: &mut List) -> Option<NodeId> {
        let t = list.back()?;
        self.unlink(list, t);
        Some(t)
    }

    /// Links an unlinked node `id` right after `anchor` (towards the tail, older end) of
    /// `list`; `anchor` must be in `list`. Keeps sorted lists sorted (e.g. LFU's buckets).
    #[inline]
    pub fn insert_after(&mut self, list: &mut List, anchor: NodeId, id: NodeId) {
        let next = self.nodes[anchor as usize].next;
        {
            let n = &mut self.nodes[id as usize];
            n.prev = anchor;
            n.next = next;
        }
        self.nodes[anchor as usize].next = id;
        if next != NIL {
            self.nodes[next as usize].prev = id;
        } else {
            list.tail = id;
        }
        list.len += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(slab: &Slab<u64>, list: &List) -> Vec<u64> {
        let mut out = Vec::new();
        let mut cur = list.front();
        while let Some(id) = cur {
            out.push(*slab.get(id));
            cur = slab.next_older(id);
        }
        out
    }

    #[test]
    fn push_move_pop_keep_order() {
        let mut slab = Slab::default();
        let mut list = List::default();
        let ids: Vec<_> = (0..4u64).map(|v| slab.alloc(v)).collect();
        for &id in &ids {
            slab.push_front(&mut list, id);
        }
        assert_eq!(collect(&slab, &list), vec![3, 2, 1, 0]);
        slab.move_to_front(&mut list, ids[1]);
        assert_eq!(collect(&slab, &list), vec![1, 3, 2, 0]);
        assert_eq!(slab.pop_back(&mut list).map(|id| *slab.get(id)), Some(0));
        slab.unlink(&mut list, ids[3]);
        assert_eq!(collect(&slab, &list), vec![1, 2]);
        assert_eq!(list.len(), 2);
        slab.release(ids[3]);
        assert_eq!(slab.alloc(9), ids[3], "freed nodes are reused");
    }

    #[test]
    fn insert_after_links_in_the_middle_and_at_the_tail() {
        let mut slab = Slab::default();
        let mut list = List::default();
        let a = slab.alloc(1u64);
        let b = slab.alloc(3);
        slab.push_front(&mut list, b);
        slab.push_front(&mut list, a);
        let mid = slab.alloc(2);
        slab.insert_after(&mut list, a, mid);
        let last = slab.alloc(4);
        slab.insert_after(&mut list, b, last);
        assert_eq!(collect(&slab, &list), vec![1, 2, 3, 4]);
        assert_eq!(list.back(), Some(last));
        assert_eq!(list.len(), 4);
        assert_eq!(slab.next_newer(mid), Some(a));
    }
}
