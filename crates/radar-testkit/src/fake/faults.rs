//! Fault injection: 5xx, 429, blocked chats, hanging answers.

use std::time::Duration;

use super::*;

impl FakeTelegram {
    // ----- fault injection -----------------------------------------------

    /// The next `n` `sendMessage` calls answer HTTP `status` (e.g. 502 with
    /// `{"ok":false,"error_code":502,"description":"Bad Gateway"}`) and
    /// record nothing as sent. Takes precedence over the other send faults.
    pub fn fail_sends(&self, n: u32, status: u16) {
        self.lock().fail_sends = Fault {
            remaining: n,
            status,
            ..Fault::default()
        };
    }

    /// The next `n` `sendMessage` calls answer HTTP `status` with an HTML
    /// page (nginx's "502 Bad Gateway"), as Telegram's front end sometimes
    /// does, and record nothing as sent.
    pub fn fail_sends_html(&self, n: u32, status: u16) {
        self.lock().fail_sends = Fault {
            remaining: n,
            status,
            html: true,
            ..Fault::default()
        };
    }

    /// Until [`clear_faults`](Self::clear_faults), each `sendMessage`
    /// answers 429 (`retry_after` 1 s) with probability `p429` percent and
    /// an HTML 502 with probability `p5xx` percent, from a fixed `seed`.
    pub fn storm(&self, p429: u32, p5xx: u32, seed: u64) {
        self.lock().storm = Some((p429, p5xx, seed.max(1)));
    }

    /// From now on messages longer than `units` UTF-16 units are refused
    /// as "message is too long" (as if Telegram lowered its limit).
    pub fn limit_message_length(&self, units: usize) {
        self.lock().max_message_units = units;
    }

    /// The next `n` `sendMessage` calls answer 429 with
    /// `parameters.retry_after = retry_after_secs`. Sends to a chat that
    /// arrive before its `retry_after` elapsed show up in
    /// [`early_retries`](Self::early_retries).
    pub fn rate_limit_sends(&self, n: u32, retry_after_secs: u32) {
        self.lock().rate_limit_sends = Fault {
            remaining: n,
            status: 429,
            retry_after: retry_after_secs,
            ..Fault::default()
        };
    }

    /// Every `sendMessage` to `chat_id` answers 403 "Forbidden: bot was
    /// blocked by the user" until [`unblock_chat`](Self::unblock_chat).
    pub fn block_chat(&self, chat_id: i64) {
        self.lock().blocked.insert(chat_id);
    }

    /// Undoes [`block_chat`](Self::block_chat).
    pub fn unblock_chat(&self, chat_id: i64) {
        self.lock().blocked.remove(&chat_id);
    }

    /// The next `n` accepted `sendMessage` calls are recorded as sent but
    /// their response is delayed by `delay` (an ambiguous timeout for a
    /// client with a shorter timeout).
    pub fn hang_sends(&self, n: u32, delay: Duration) {
        self.lock().hang_sends = Fault {
            remaining: n,
            delay,
            ..Fault::default()
        };
    }

    /// The next `n` `getUpdates` calls answer HTTP `status` without applying
    /// their offset.
    pub fn fail_get_updates(&self, n: u32, status: u16) {
        self.lock().fail_get_updates = Fault {
            remaining: n,
            status,
            ..Fault::default()
        };
    }

    /// Clears every pending fault and blocked chat.
    pub fn clear_faults(&self) {
        let mut st = self.lock();
        st.fail_sends = Fault::default();
        st.rate_limit_sends = Fault::default();
        st.hang_sends = Fault::default();
        st.fail_get_updates = Fault::default();
        st.storm = None;
        st.blocked.clear();
    }

    /// `sendMessage` requests that reached a chat before the `retry_after` of
    /// the last 429 answered for that chat had elapsed. Should be empty.
    pub fn early_retries(&self) -> Vec<EarlyRetry> {
        self.lock().early_retries.clone()
    }
}
