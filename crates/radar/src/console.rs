//! `radar chat`: the console adapter. Each stdin line is one message from
//! the operator (always allowed); replies go to stdout. Same engine, same
//! database, same idempotency as Telegram.

use std::io::{BufRead, IsTerminal, Write};

use radar_engine::{Engine, EngineError, Handled, Incoming, Lang, OutMessage};
use radar_store::UserId;

/// A console session: message keys are unique across runs
/// (`console:<user>:<run>:<n>`, the run being the start time in nanoseconds
/// and the process id).
pub struct Console {
    engine: Engine,
    user: UserId,
    lang: Lang,
    run: String,
    n: u64,
}

impl Console {
    pub fn new(engine: Engine, user: UserId, lang: Lang) -> Console {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        Console {
            engine,
            user,
            lang,
            run: format!("{nanos:x}.{}", std::process::id()),
            n: 0,
        }
    }

    /// Handles one line; returns the reply as the console shows it.
    pub async fn say(&mut self, text: &str) -> Result<String, EngineError> {
        self.n += 1;
        let msg = Incoming::console(&self.run, self.n, self.user, self.lang, text);
        Ok(match self.engine.handle(&msg).await? {
            Handled::Replied(r) => r.messages.iter().map(show).collect::<Vec<_>>().join("\n\n"),
            Handled::Duplicate => String::new(),
        })
    }

    /// Reads stdin until EOF, one message a line.
    pub async fn run_stdin(&mut self) -> anyhow::Result<()> {
        let interactive = std::io::stdin().is_terminal();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<std::io::Result<String>>(16);
        // Blocking reads on their own thread, so the runtime stays free.
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                if tx.blocking_send(line).is_err() {
                    break;
                }
            }
        });
        if interactive {
            eprint!("radar> ");
        }
        while let Some(line) = rx.recv().await {
            let line = line?;
            if line.trim().is_empty() {
                if interactive {
                    eprint!("radar> ");
                }
                continue;
            }
            let reply = match self.say(&line).await {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "message failed");
                    e.user_message(self.lang)
                }
            };
            let mut out = std::io::stdout().lock();
            writeln!(out, "{reply}\n")?;
            out.flush()?;
            if interactive {
                eprint!("radar> ");
            }
        }
        Ok(())
    }
}

/// A message as plain text, buttons shown as `[label]`.
pub fn show(m: &OutMessage) -> String {
    let mut s = m.plain();
    if let Some(k) = &m.keyboard {
        for row in &k.0 {
            s.push('\n');
            s.push_str(
                &row.iter()
                    .map(|b| format!("[{}]", b.text))
                    .collect::<Vec<_>>()
                    .join(" "),
            );
        }
    }
    s
}
