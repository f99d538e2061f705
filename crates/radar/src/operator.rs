//! Operator commands: `radar backup PATH`, `radar copy --to URL [--from URL]`
//! and `radar check`. The work is in the store (`radar_store::{backup, copy,
//! check}`) and, for the event log's meaning, the engine
//! (`radar_engine::check`); here are the progress lines and what is printed.

use std::path::Path;

use anyhow::{Context, bail};
use radar_store::copy::{CopyReport, Progress};
use radar_store::{Db, DbUrl};

/// `radar backup PATH`.
pub async fn backup(url: &DbUrl, dest: &Path) -> anyhow::Result<()> {
    let b = radar_store::backup::backup(url, dest)
        .await
        .context("backup")?;
    println!(
        "backup: {} ({} bytes, owner-only), integrity ok, migrations up to {}",
        b.path.display(),
        b.bytes,
        b.migration.as_deref().unwrap_or("none")
    );
    for (t, n) in &b.counts {
        println!("  {t:<20} {n:>10} rows");
    }
    Ok(())
}

/// Progress on stderr: on a terminal one line per table rewritten in place
/// (`events 120000/200000 (60 %)`), elsewhere (a log file, CI) one line per
/// table once it is committed. Plain text: no progress-bar crate in the
/// product binary for a command run once per move.
struct Lines {
    table: &'static str,
    rows: u64,
    done: u64,
    terminal: bool,
}

impl Lines {
    fn draw(&self) {
        let pct = (self.done * 100).checked_div(self.rows).unwrap_or(100);
        eprint!("\r{:>20} {}/{} ({pct} %)", self.table, self.done, self.rows);
    }
}

impl Progress for Lines {
    fn table(&mut self, table: &'static str, rows: u64) {
        (self.table, self.rows, self.done) = (table, rows, 0);
        if self.terminal {
            self.draw();
        }
    }

    fn rows(&mut self, rows: u64) {
        self.done += rows;
        if self.terminal {
            self.draw();
        }
    }

    fn table_done(&mut self) {
        if self.terminal {
            eprintln!();
        } else {
            eprintln!("{:>20} {} rows copied", self.table, self.done);
        }
    }
}

/// `radar copy --to URL [--from URL]`.
pub async fn copy(from: &DbUrl, to: &DbUrl) -> anyhow::Result<CopyReport> {
    let mut progress = Lines {
        table: "",
        rows: 0,
        done: 0,
        terminal: std::io::IsTerminal::is_terminal(&std::io::stderr()),
    };
    let report = radar_store::copy::copy(from, to, &mut progress)
        .await
        .context("copy")?;
    for t in &report.tables {
        println!(
            "  {:<20} {:>10} rows  checksum {:032x}  equal on the target",
            t.table, t.source.rows, t.source.sum
        );
    }
    let secs = report.copy_time.as_secs_f64();
    println!(
        "copy: {} rows in {:.1} s ({:.0} rows/s), verified in {:.1} s; every table's row count and checksum are equal",
        report.rows(),
        secs,
        report.rows() as f64 / secs.max(1e-9),
        report.verify_time.as_secs_f64()
    );
    Ok(report)
}

/// `radar check`: prints every problem found, one a line, with ids; fails
/// when there is any.
pub async fn check(url: &DbUrl) -> anyhow::Result<()> {
    if let DbUrl::Sqlite(path) = url {
        let file = path.strip_prefix("file:").unwrap_or(path);
        let file = file.split('?').next().unwrap_or(file);
        if !Path::new(file).is_file() {
            bail!("DATABASE_URL: the SQLite database {file} does not exist");
        }
    }
    let db = Db::connect(url, 1)?;
    let mut conn = db.get().await?;
    let mut problems: Vec<String> = radar_store::check::all(url, &mut conn)
        .await?
        .iter()
        .map(ToString::to_string)
        .collect();
    problems.extend(
        radar_engine::check::events(&mut conn)
            .await?
            .iter()
            .map(ToString::to_string),
    );
    for p in &problems {
        println!("{p}");
    }
    if problems.is_empty() {
        println!(
            "check: clean (migrations, schema, foreign keys, undo links, every event decodes, every feature matches its events)"
        );
        Ok(())
    } else {
        bail!("check: {} problem(s) found", problems.len())
    }
}
