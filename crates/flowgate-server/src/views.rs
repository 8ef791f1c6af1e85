//! Views of the store kept between requests. A view depends on the operation log (every ref
//! move appends an operation) and, for what the log does not hold (a deploy target's files,
//! gates that depend on the time), on how old it is: a kept view is used while the log head is
//! the one it was computed at and it is younger than its time to live. One request computes a
//! missing view while the others asking for it wait, so a burst of requests costs one
//! computation. Every server on a store keeps its own views and reads the head from the store,
//! so a change made through another server is seen on the next request.

use flowgate_store::LogHead;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// One kept view.
struct Entry<V> {
    head: LogHead,
    at: Instant,
    value: Arc<V>,
}

type Slot<V> = Arc<tokio::sync::Mutex<Option<Entry<V>>>>;

/// Views by key, kept while current (see the module documentation).
pub struct Views<K, V> {
    slots: Mutex<HashMap<K, Slot<V>>>,
    ttl: Duration,
    capacity: usize,
}

impl<K, V> std::fmt::Debug for Views<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Views")
            .field("ttl", &self.ttl)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl<K: Eq + Hash + Clone, V> Views<K, V> {
    /// Views kept at most `ttl`, at most `capacity` of them (the oldest keys are dropped
    /// together when more are asked for).
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
            ttl,
            capacity: capacity.max(1),
        }
    }

    fn slot(&self, key: &K) -> Slot<V> {
        let mut slots = self.slots.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(slot) = slots.get(key) {
            return slot.clone();
        }
        if slots.len() >= self.capacity {
            slots.clear();
        }
        let slot: Slot<V> = Arc::default();
        slots.insert(key.clone(), slot.clone());
        slot
    }

    /// The view `key` at log head `head`: the kept one when current, else `compute`'s.
    pub async fn get<E, F, Fut>(&self, key: &K, head: &LogHead, compute: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        let slot = self.slot(key);
        let mut kept = slot.lock().await;
        if let Some(view) = kept.as_ref() {
            if view.head == *head && view.at.elapsed() < self.ttl {
                return Ok(view.value.clone());
            }
        }
        let value = Arc::new(compute().await?);
        *kept = Some(Entry {
            head: head.clone(),
            at: Instant::now(),
            value: value.clone(),
        });
        Ok(value)
    }

    /// The view `key` of something that never changes (such as the diff of two snapshots):
    /// computed once, kept until dropped for room.
    pub async fn get_immutable<E, F, Fut>(&self, key: &K, compute: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        let forever = LogHead {
            seq: 0,
            hash: String::new(),
        };
        self.get(key, &forever, compute).await
    }

    /// Replaces the view `key` with `value`, computed at `head` (by a background refresh).
    pub async fn put(&self, key: &K, head: LogHead, value: V) -> Arc<V> {
        let value = Arc::new(value);
        *self.slot(key).lock().await = Some(Entry {
            head,
            at: Instant::now(),
            value: value.clone(),
        });
        value
    }
}

/// The views this server keeps.
#[derive(Debug)]
pub struct Kept {
    /// The environment board (`GET /`); kept no longer than the drift check interval.
    pub board: Views<(), Vec<flowgate_release::BundleStatus>>,
    /// Plan pages by (plan id, person); kept briefly, since gates depend on the time.
    pub plans: Views<(String, String), crate::routes::PlanView>,
    /// Inboxes by person: they depend on the log and the refs only.
    pub inboxes: Views<String, Vec<crate::routes::Waiting>>,
    /// Bundle pages by bundle.
    pub bundles: Views<String, crate::routes::BundleView>,
    /// Diffs between two versions of a bundle, which never change.
    pub diffs: Views<(String, String, String), flowgate_diff::Diff>,
}

/// How long a plan page's view is kept: its gates (soak, freeze windows) depend on the time.
const PLAN_VIEW_TTL: Duration = Duration::from_secs(5);

impl Kept {
    /// Views for a server checking drift every `drift_check`.
    pub fn new(drift_check: Duration) -> Self {
        Self {
            board: Views::new(drift_check, 1),
            plans: Views::new(PLAN_VIEW_TTL, 512),
            inboxes: Views::new(Duration::from_secs(3600), 512),
            bundles: Views::new(Duration::from_secs(3600), 64),
            diffs: Views::new(Duration::MAX, 256),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn head(seq: u64) -> LogHead {
        LogHead {
            seq,
            hash: format!("{seq:064}"),
        }
    }

    async fn count(views: &Views<u8, usize>, at: &LogHead, calls: &AtomicUsize) -> usize {
        let value = views
            .get(&0, at, || async {
                Ok::<_, ()>(calls.fetch_add(1, Ordering::SeqCst) + 1)
            })
            .await;
        *value.unwrap_or_default()
    }

    #[tokio::test]
    async fn a_view_is_computed_again_when_the_head_moves_or_it_is_too_old() {
        let calls = AtomicUsize::new(0);
        let views = Views::new(Duration::from_secs(60), 8);
        assert_eq!(count(&views, &head(1), &calls).await, 1);
        assert_eq!(count(&views, &head(1), &calls).await, 1, "kept");
        assert_eq!(count(&views, &head(2), &calls).await, 2, "the head moved");
        let young = Views::new(Duration::ZERO, 8);
        assert_eq!(count(&young, &head(1), &calls).await, 3);
        assert_eq!(count(&young, &head(1), &calls).await, 4, "too old");
    }

    #[tokio::test]
    async fn concurrent_requests_compute_a_view_once() {
        let calls = Arc::new(AtomicUsize::new(0));
        let views = Arc::new(Views::<u8, usize>::new(Duration::from_secs(60), 8));
        let tasks: Vec<_> = (0..16)
            .map(|_| {
                let (views, calls) = (views.clone(), calls.clone());
                tokio::spawn(async move {
                    views
                        .get(&0, &head(7), || async {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok::<_, ()>(calls.fetch_add(1, Ordering::SeqCst))
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            assert!(task.await.is_ok_and(|r| r.is_ok()));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn an_error_is_not_kept() {
        let views = Views::<u8, u8>::new(Duration::from_secs(60), 8);
        let failed = views
            .get(&0, &head(1), || async { Err::<u8, _>("down") })
            .await;
        assert!(failed.is_err());
        let later = views.get(&0, &head(1), || async { Ok::<_, ()>(5) }).await;
        assert_eq!(later.ok().as_deref(), Some(&5));
    }
}
