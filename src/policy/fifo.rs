//! FIFO: evict the object that entered the cache first; hits change nothing. The textbook
//! queue (Belady, Nelson and Shedler 1969 studied it as "FIFO replacement"); matches
//! libCacheSim's `FIFO` exactly.

use super::Resident;
use super::index::InlineKeys;
use super::queue::QueueOrder;

/// First-in first-out eviction: a queue whose hits stay where they are.
pub type Fifo = Resident<QueueOrder<false, InlineKeys>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Capacity;
    use crate::model::NEVER;
    use crate::policy::{Access, Policy};

    fn acc(key: u64, size: u32) -> Access {
        Access { key, size, tick: 0, next_access: NEVER }
    }

    #[test]
    fn hits_do_not_protect_the_oldest_object() {
        let mut fifo = Fifo::new(Capacity::objects(2));
        let mut ev = Vec::new();
        assert!(!fifo.access(&acc(1, 1), &mut ev));
        assert!(!fifo.access(&acc(2, 1), &mut ev));
        assert!(fifo.access(&acc(1, 1), &mut ev));
        assert!(!fifo.access(&acc(3, 1), &mut ev));
        assert_eq!(ev, vec![1], "1 entered first, so it goes although it was just hit");
        assert!(!fifo.contains(1) && fifo.contains(2) && fifo.contains(3));
    }

    #[test]
    fn byte_capacity_evicts_in_insertion_order_until_it_fits() {
        let mut fifo = Fifo::new(Capacity::bytes(100));
        let mut ev = Vec::new();
        for (k, s) in [(1, 30), (2, 30), (3, 30)] {
            fifo.access(&acc(k, s), &mut ev);
        }
        fifo.access(&acc(4, 70), &mut ev);
        assert_eq!(ev, vec![1, 2]);
        assert_eq!(fifo.used(), 100);
        assert!(!fifo.access(&acc(5, 101), &mut ev), "larger than the cache");
        assert!(!fifo.contains(5));
        assert!(fifo.remove(3));
        assert_eq!((fifo.used(), fifo.len()), (70, 1));
    }
}
