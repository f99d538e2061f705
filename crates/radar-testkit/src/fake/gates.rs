//! Start-up faults: a token the fake refuses, as Telegram refuses a wrong
//! or revoked one (every method answers 401 `Unauthorized`); `getMe` held
//! until released (a Bot API slow to answer while the bot starts); `getMe`
//! failing with an HTTP status a number of times.

use std::collections::HashSet;
use std::sync::Mutex;

use axum::response::Response;
use tokio::sync::watch;

use super::FakeTelegram;
use super::state::Shared;
use super::wire::{error, status_description};

pub(super) struct Gates {
    refused: Mutex<HashSet<String>>,
    /// (remaining, status)
    fail_get_me: Mutex<(u32, u16)>,
    get_me_held: watch::Sender<bool>,
}

impl Default for Gates {
    fn default() -> Self {
        Gates {
            refused: Mutex::default(),
            fail_get_me: Mutex::default(),
            get_me_held: watch::Sender::new(false),
        }
    }
}

impl Gates {
    /// The answer to a request (`/bot<token>/<method>`, `method` in lower
    /// case) when a gate decides it, after waiting while `getMe` is held.
    pub(super) async fn intercept(
        &self,
        shared: &Shared,
        path: &str,
        method: &str,
    ) -> Option<Response> {
        let token = path
            .strip_prefix("/bot")
            .and_then(|rest| rest.split_once('/'))
            .map(|(token, _)| token);
        if token.is_some_and(|t| lock(&self.refused).contains(t)) {
            return Some(error(401, "Unauthorized", None));
        }
        if method != "getme" {
            return None;
        }
        let mut held = self.get_me_held.subscribe();
        tokio::select! {
            _ = held.wait_for(|held| !*held) => {}
            () = shared.wait_shutdown() => {}
        }
        let mut fail = lock(&self.fail_get_me);
        if fail.0 > 0 {
            fail.0 -= 1;
            return Some(error(fail.1, &status_description(fail.1), None));
        }
        None
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl FakeTelegram {
    /// Every request made with `token` answers 401 `Unauthorized`, as
    /// Telegram answers a wrong or revoked token.
    pub fn refuse_token(&self, token: &str) {
        lock(&self.inner.shared.gates.refused).insert(token.to_string());
    }

    /// `getMe` requests wait (counted in [`requests`](Self::requests) when
    /// they arrive) until [`release_get_me`](Self::release_get_me).
    pub fn hold_get_me(&self) {
        self.inner.shared.gates.get_me_held.send_replace(true);
    }

    /// Answers the held `getMe` requests, and every later one at once.
    pub fn release_get_me(&self) {
        self.inner.shared.gates.get_me_held.send_replace(false);
    }

    /// The next `n` `getMe` calls answer HTTP `status` (e.g. 502).
    pub fn fail_get_me(&self, n: u32, status: u16) {
        *lock(&self.inner.shared.gates.fail_get_me) = (n, status);
    }
}
