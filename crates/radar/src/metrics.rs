//! Prometheus metrics (`/metrics`): updates received, duplicates dropped,
//! commands by outcome, command latency, outbox backlog; message keys kept
//! and rows pruned; store failures by kind.

use std::sync::atomic::AtomicI64;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ResultLabel {
    pub result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TableLabel {
    pub table: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

/// `radar_store_failures_total{kind}`: the store counts its failures itself
/// ([`radar_store::health::failures`]); this reads them at each scrape.
#[derive(Debug)]
struct StoreFailures;

impl Collector for StoreFailures {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut family = encoder.encode_descriptor(
            "store_failures",
            "Database operations that failed because the database could not do them now, by kind \
             (read_only, full, io, cant_open, locked, connection)",
            None,
            prometheus_client::metrics::MetricType::Counter,
        )?;
        for (fault, n) in radar_store::health::failures() {
            let labels = KindLabel {
                kind: fault.label(),
            };
            ConstCounter::new(n).encode(family.encode_family(&labels)?)?;
        }
        Ok(())
    }
}

pub struct Metrics {
    registry: Registry,
    pub updates_received: Counter,
    pub duplicates_dropped: Counter,
    pub commands: Family<OutcomeLabel, Counter>,
    pub command_latency: Histogram,
    pub outbox_backlog: Gauge<i64, AtomicI64>,
    pub replies: Family<ResultLabel, Counter>,
    /// Rows in `processed_messages` (after the last housekeeping pass).
    pub processed_messages: Gauge<i64, AtomicI64>,
    /// Rows deleted by housekeeping, by table.
    pub pruned: Family<TableLabel, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("radar");
        let updates_received = Counter::default();
        let duplicates_dropped = Counter::default();
        let commands = Family::<OutcomeLabel, Counter>::default();
        let command_latency = Histogram::new([
            0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
        ]);
        let outbox_backlog = Gauge::<i64, AtomicI64>::default();
        let replies = Family::<ResultLabel, Counter>::default();
        let processed_messages = Gauge::<i64, AtomicI64>::default();
        let pruned = Family::<TableLabel, Counter>::default();
        registry.register(
            "updates_received",
            "Updates received from Telegram",
            updates_received.clone(),
        );
        registry.register(
            "duplicates_dropped",
            "Updates whose message key was already processed",
            duplicates_dropped.clone(),
        );
        registry.register("commands", "Commands handled, by outcome", commands.clone());
        registry.register(
            "command_latency_seconds",
            "Time to apply one command (one transaction)",
            command_latency.clone(),
        );
        registry.register(
            "outbox_backlog",
            "Replies queued and not yet delivered",
            outbox_backlog.clone(),
        );
        registry.register(
            "replies",
            "Reply delivery attempts, by result",
            replies.clone(),
        );
        registry.register(
            "processed_messages",
            "Message keys kept in processed_messages (rows, counted by each housekeeping pass)",
            processed_messages.clone(),
        );
        registry.register(
            "pruned",
            "Rows deleted by housekeeping (past RADAR_KEY_RETENTION, or expired), by table",
            pruned.clone(),
        );
        registry.register_collector(Box::new(StoreFailures));
        // Every outcome is exported from the start, at 0.
        for outcome in [
            "changed",
            "unchanged",
            "rejected",
            "unauthorized",
            "ignored",
            "failed",
        ] {
            let _ = commands.get_or_create(&OutcomeLabel { outcome });
        }
        for result in ["sent", "retry", "failed"] {
            let _ = replies.get_or_create(&ResultLabel { result });
        }
        for table in ["processed_messages", "outbox", "offered_actions"] {
            let _ = pruned.get_or_create(&TableLabel { table });
        }
        Metrics {
            registry,
            updates_received,
            duplicates_dropped,
            commands,
            command_latency,
            outbox_backlog,
            replies,
            processed_messages,
            pruned,
        }
    }

    /// The text exposition format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
