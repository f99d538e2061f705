//! Prometheus metrics (`/metrics`): updates received, duplicates dropped,
//! commands by outcome, command latency, outbox backlog.

use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
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

pub struct Metrics {
    registry: Registry,
    pub updates_received: Counter,
    pub duplicates_dropped: Counter,
    pub commands: Family<OutcomeLabel, Counter>,
    pub command_latency: Histogram,
    pub outbox_backlog: Gauge<i64, AtomicI64>,
    pub replies: Family<ResultLabel, Counter>,
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
        Metrics {
            registry,
            updates_received,
            duplicates_dropped,
            commands,
            command_latency,
            outbox_backlog,
            replies,
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
