//! Handing stored updates to the handler tree ([`super::schema`]): a
//! chat's updates in order, one at a time; different chats at once.
//!
//! This does what teloxide's `Dispatcher` does with a distribution
//! function, with updates queued as boxes. teloxide's worker queue is a
//! tokio channel of `Update`s (about 2 KiB each), which allocates blocks of
//! 32 slots (about 62 KiB) and keeps two of them per worker for as long as
//! the process runs: about 8 MiB at 64 workers (BENCHMARKS.md §9, §11). A
//! queue of boxes keeps 32 pointers per block; an update's own memory is
//! freed once it is handled.

use std::ops::ControlFlow;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use teloxide::dispatching::UpdateHandler;
use teloxide::dptree::di::DependencyMap;
use teloxide::types::Update;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::handlers::HandlerError;

/// What the receivers (polling, webhook, replay) send a stored update to.
pub type Feed = mpsc::Sender<Box<Update>>;

/// How many updates the receivers may queue ahead of the workers before
/// they wait (and so before the next `getUpdates`).
pub const FEED_CAPACITY: usize = 1024;

/// How many workers handle updates. A chat's updates always go to the same
/// worker ([`worker_of`]), so they are handled in order, one at a time, as
/// with teloxide's default of a worker per chat; up to this many chats are
/// handled at once. 16 workers cost a quarter of the throughput at 64 chats
/// (fewer commands in flight to share a commit, BENCHMARKS.md §9), so 64.
pub(crate) const WORKERS: usize = 64;

/// How many updates wait for one worker before the feed waits for it.
const WORKER_QUEUE: usize = 64;

/// The worker of an update: its chat's id modulo [`WORKERS`]; `None` for an
/// update without a chat, which is handled on its own, at once.
pub(crate) fn worker_of(update: &Update) -> Option<usize> {
    update
        .chat()
        .map(|c| c.id.0.rem_euclid(WORKERS as i64) as usize)
}

/// A new feed and the receiving end [`run`] reads.
pub fn feed() -> (Feed, mpsc::Receiver<Box<Update>>) {
    mpsc::channel(FEED_CAPACITY)
}

/// Hands every update of `updates` to `handler` (with `deps`, and the update
/// itself, as its dependencies) until every [`Feed`] is dropped, then waits
/// for the queued updates to be handled. A handler's error is logged; an
/// update the tree does not take is ignored.
pub async fn run(
    mut updates: mpsc::Receiver<Box<Update>>,
    handler: UpdateHandler<HandlerError>,
    deps: DependencyMap,
) {
    let handler = Arc::new(handler);
    let deps = Arc::new(deps);
    let mut queues: Vec<Option<mpsc::Sender<Box<Update>>>> = vec![None; WORKERS];
    let mut tasks = JoinSet::new();
    while let Some(update) = updates.recv().await {
        // Reap the tasks that ended (updates without a chat).
        while let Some(ended) = tasks.try_join_next() {
            log_ended(ended);
        }
        let Some(w) = worker_of(&update) else {
            tasks.spawn(handle(update, handler.clone(), deps.clone()));
            continue;
        };
        let mut update = update;
        loop {
            let queue = queues[w].get_or_insert_with(|| {
                let (tx, rx) = mpsc::channel(WORKER_QUEUE);
                tasks.spawn(worker(rx, handler.clone(), deps.clone()));
                tx
            });
            match queue.send(update).await {
                Ok(()) => break,
                // The worker ended (it cannot, but if it did): a new one takes
                // over its chats, with this update first.
                Err(mpsc::error::SendError(back)) => {
                    tracing::error!(worker = w, "an update worker ended; starting another");
                    queues[w] = None;
                    update = back;
                }
            }
        }
    }
    drop(queues);
    while let Some(ended) = tasks.join_next().await {
        log_ended(ended);
    }
}

fn log_ended(ended: Result<(), tokio::task::JoinError>) {
    if let Err(e) = ended {
        tracing::error!(error = %e, "an update handler panicked");
    }
}

/// One worker: its queue's updates one at a time. A handler that panics
/// is logged and the worker goes on with the next update (the update that
/// panicked stays unprocessed in the store, and replay tries it again).
async fn worker(
    mut queue: mpsc::Receiver<Box<Update>>,
    handler: Arc<UpdateHandler<HandlerError>>,
    deps: Arc<DependencyMap>,
) {
    while let Some(update) = queue.recv().await {
        let id = update.id.0;
        let handled = AssertUnwindSafe(handle(update, handler.clone(), deps.clone()));
        if handled.catch_unwind().await.is_err() {
            tracing::error!(update_id = id, "an update handler panicked");
        }
    }
}

async fn handle(
    update: Box<Update>,
    handler: Arc<UpdateHandler<HandlerError>>,
    deps: Arc<DependencyMap>,
) {
    let mut deps = (*deps).clone();
    deps.insert(*update);
    match handler.dispatch(deps).await {
        ControlFlow::Break(Ok(())) | ControlFlow::Continue(_) => {}
        ControlFlow::Break(Err(e)) => tracing::error!(error = %e, "update handler"),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};
    use std::sync::Mutex;

    use teloxide::prelude::*;

    use super::*;

    fn update(id: i32, chat: i64) -> Update {
        let kind = if chat > 0 {
            serde_json::json!({"id": chat, "type": "private", "first_name": "A"})
        } else {
            serde_json::json!({"id": chat, "type": "supergroup", "title": "Team"})
        };
        // From text, as Telegram's answers are read (teloxide's Update does
        // not deserialize from a `Value`).
        serde_json::from_str(
            &serde_json::json!({
                "update_id": id,
                "message": {
                    "message_id": id, "date": 1_700_000_000, "text": "hi", "chat": kind,
                    "from": {"id": 7, "is_bot": false, "first_name": "A"}
                }
            })
            .to_string(),
        )
        .expect("a message update")
    }

    #[test]
    fn a_chat_keeps_its_worker_and_chats_share_a_bounded_number() {
        let chats: Vec<i64> = (0..200)
            .map(|i| 1_000 + i)
            .chain((0..200).map(|i| -100_123_456_789 - i)) // supergroups
            .collect();
        let mut workers = HashSet::new();
        for &c in &chats {
            let u = update(1, c);
            let w = worker_of(&u).unwrap_or_else(|| panic!("chat {c}: {:?}", u.kind));
            assert_eq!(worker_of(&update(2, c)), Some(w), "chat {c} moved");
            assert!(w < WORKERS, "chat {c}: worker {w}");
            workers.insert(w);
        }
        assert_eq!(workers.len(), WORKERS, "every worker is used");
    }

    type Seen = Arc<Mutex<Vec<(i64, i32)>>>;

    /// A handler tree that records (chat, update id), yielding first so
    /// that updates of different chats interleave; update 100 (the first)
    /// waits for the gate, update 13 fails, update 99 panics.
    fn recording() -> UpdateHandler<HandlerError> {
        dptree::entry().branch(Update::filter_message().endpoint(
            |seen: Seen, gate: Arc<tokio::sync::Notify>, update: Update| async move {
                tokio::task::yield_now().await;
                match update.id.0 {
                    100 => gate.notified().await,
                    13 => return Err("update 13 fails".into()),
                    99 => panic!("update 99 panics"),
                    _ => {}
                }
                let chat = update.chat().expect("a message has a chat").id.0;
                seen.lock()
                    .expect("not poisoned")
                    .push((chat, update.id.0 as i32));
                Ok(())
            },
        ))
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_update_is_handled_once_in_order_per_chat_before_run_returns() {
        let seen: Seen = Arc::default();
        let gate = Arc::new(tokio::sync::Notify::new());
        let (feed, updates) = feed();
        let deps = dptree::deps![seen.clone(), gate.clone()];
        let run = tokio::spawn(run(updates, recording(), deps));
        // 200 chats (more than WORKERS, so chats share workers), 5 updates
        // each, interleaved; one update fails, one panics, and the others
        // (of their chats and of the chats sharing their workers) go on.
        let mut sent: HashMap<i64, Vec<i32>> = HashMap::new();
        let mut id = 100;
        for round in 0..5 {
            for c in 0..200_i64 {
                let chat = if c % 2 == 0 { 1_000 + c } else { -100_000 - c };
                let this = match (round, c) {
                    (2, 5) => 99,
                    (1, 7) => 13,
                    _ => id,
                };
                id += 1;
                feed.send(Box::new(update(this, chat)))
                    .await
                    .expect("run is reading");
                if this != 99 && this != 13 {
                    sent.entry(chat).or_default().push(this);
                }
            }
        }
        // The first chat's first update waited all along: its later ones
        // must still come after it.
        gate.notify_one();
        drop(feed);
        run.await.expect("run returns once the feed is closed");

        let mut got: HashMap<i64, Vec<i32>> = HashMap::new();
        for (chat, id) in seen.lock().expect("not poisoned").iter() {
            got.entry(*chat).or_default().push(*id);
        }
        assert_eq!(
            got, sent,
            "each chat's updates, once each, in the order sent"
        );
    }
}
