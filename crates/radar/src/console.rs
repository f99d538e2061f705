//! `radar chat`: the console adapter. Each stdin line is one message from
//! the operator (always allowed); replies go to stdout. Same engine, same
//! database, same idempotency as Telegram.

use std::io::{BufRead, IsTerminal, Write};

use radar_engine::buttons::ButtonAction;
use radar_engine::{Engine, EngineError, Handled, Incoming, Input, Keyboard, Lang, OutMessage};
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
    /// Where a chart or an export is written (the current directory by default).
    files_dir: std::path::PathBuf,
    /// The page buttons (◀ ▶) of the last reply: "next" and "back" press them.
    pages: Option<Keyboard>,
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
            files_dir: std::path::PathBuf::from("."),
            pages: None,
        }
    }

    /// Writes charts and exports into `dir` instead of the current directory.
    pub fn with_files_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Console {
        self.files_dir = dir.into();
        self
    }

    /// A message as the console shows it; a file it carries is written to
    /// the files directory (owner-only: an export holds the project's data)
    /// and its path printed under the caption.
    fn show_saving(&self, m: &OutMessage) -> String {
        let mut s = show(m);
        if let Some(f) = &m.file {
            let path = self.files_dir.join(&f.name);
            let line = match write_private(&path, &f.bytes) {
                Ok(()) => format!("📎 {}", path.display()),
                Err(e) => format!("📎 cannot write {}: {e}", path.display()),
            };
            s.push('\n');
            s.push_str(&line);
        }
        s
    }

    /// Handles one line; returns the reply as the console shows it.
    pub async fn say(&mut self, text: &str) -> Result<String, EngineError> {
        self.send(Input::Text(text.to_string())).await
    }

    /// Handles one message of any kind (a line that is not UTF-8 text is
    /// [`Input::NotUtf8`]); returns the reply as the console shows it.
    pub async fn send(&mut self, input: Input) -> Result<String, EngineError> {
        self.n += 1;
        // "next" on the last page (or "back" on the first) is not a page
        // turn, but the pages stay open for the other direction.
        let page_word = matches!(&input, Input::Text(t) if page_direction(t).is_some());
        let input = match &input {
            Input::Text(t) => self.page_turn(t).map(Input::Button).unwrap_or(input),
            _ => input,
        };
        let turned = matches!(input, Input::Button(_));
        let msg = Incoming::console_input(&self.run, self.n, self.user, self.lang, input);
        Ok(match self.engine.handle(&msg).await? {
            Handled::Replied(r) => {
                let pages = r
                    .messages
                    .last()
                    .and_then(|m| m.keyboard.clone())
                    .filter(|k| page_button(k, true).or(page_button(k, false)).is_some());
                if turned || !page_word || pages.is_some() {
                    self.pages = pages;
                }
                let mut shown = r
                    .messages
                    .iter()
                    .map(|m| self.show_saving(m))
                    .collect::<Vec<_>>()
                    .join("\n\n");
                if self.pages.is_some() {
                    shown.push('\n');
                    shown.push_str(&radar_engine::render::console_page_hint(self.lang));
                }
                shown
            }
            Handled::Duplicate => String::new(),
        })
    }

    /// "next" / "back" (or ▶ / ◀, «дальше» / «назад») after a paged reply:
    /// the data of the button it stands for.
    fn page_turn(&self, text: &str) -> Option<String> {
        let k = self.pages.as_ref()?;
        page_button(k, page_direction(text)?)
    }

    /// Reads stdin until EOF, one message a line. A line that is not valid
    /// UTF-8 is answered with an error (like any reply, under the context
    /// line) and the next lines are read as usual.
    pub async fn run_stdin(&mut self) -> anyhow::Result<()> {
        let interactive = std::io::stdin().is_terminal();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<std::io::Result<Line>>(16);
        // Blocking reads on their own thread, so the runtime stays free.
        std::thread::spawn(move || {
            let mut stdin = std::io::stdin().lock();
            loop {
                let line = read_line(&mut stdin).transpose();
                let Some(line) = line else { break };
                if tx.blocking_send(line).is_err() {
                    break;
                }
            }
        });
        if interactive {
            eprint!("radar> ");
        }
        while let Some(line) = rx.recv().await {
            let input = match line? {
                Line::Text(t) if t.trim().is_empty() => {
                    if interactive {
                        eprint!("radar> ");
                    }
                    continue;
                }
                Line::Text(t) => Input::Text(t),
                Line::NotUtf8 => Input::NotUtf8,
            };
            let reply = match self.send(input).await {
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

/// One line of stdin.
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    Text(String),
    /// Bytes that are not valid UTF-8.
    NotUtf8,
}

/// Reads one line (without its `\n` or `\r\n`); `None` at EOF.
pub fn read_line(r: &mut impl BufRead) -> std::io::Result<Option<Line>> {
    let mut buf = Vec::new();
    if r.read_until(b'\n', &mut buf)? == 0 {
        return Ok(None);
    }
    if buf.last() == Some(&b'\n') {
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
    }
    Ok(Some(match String::from_utf8(buf) {
        Ok(t) => Line::Text(t),
        Err(_) => Line::NotUtf8,
    }))
}

/// Writes `bytes` to `path`, readable by its owner only.
fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)?.write_all(bytes)
}

/// `Some(true)` for "next" (▶, «дальше»), `Some(false)` for "back" (◀,
/// «назад»), `None` for anything else.
fn page_direction(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "next" | "more" | ">" | "▶" | "дальше" | "далее" | "ещё" | "еще" => {
            Some(true)
        }
        "back" | "prev" | "previous" | "<" | "◀" | "назад" => Some(false),
        _ => None,
    }
}

/// The data of the ▶ (`forward`) or ◀ page button of a keyboard.
fn page_button(k: &Keyboard, forward: bool) -> Option<String> {
    let arrow = if forward { '▶' } else { '◀' };
    k.0.iter()
        .flatten()
        .find(|b| {
            b.text.contains(arrow)
                && matches!(
                    ButtonAction::decode(&b.data),
                    Some(ButtonAction::Page { .. })
                )
        })
        .map(|b| b.data.clone())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let mut r = std::io::Cursor::new(b"one\r\ntw\xffo\n\nthree".to_vec());
        assert_eq!(read_line(&mut r).unwrap(), Some(Line::Text("one".into())));
        assert_eq!(read_line(&mut r).unwrap(), Some(Line::NotUtf8));
        assert_eq!(read_line(&mut r).unwrap(), Some(Line::Text(String::new())));
        assert_eq!(read_line(&mut r).unwrap(), Some(Line::Text("three".into())));
        assert_eq!(read_line(&mut r).unwrap(), None);
    }
}
