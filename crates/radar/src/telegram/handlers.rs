//! The handler tree: every message, edit and button press goes through the
//! engine, then the chat's replies are delivered. Pure: no globals, all
//! state comes in as dependencies (`Arc<App>` and the `Bot`).

use std::sync::Arc;
use std::time::Instant;

use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::{CallbackQueryId, ParseMode, ReplyParameters, Update};
use tracing::Instrument;

use super::App;
use super::receive::envelope;
use crate::metrics::OutcomeLabel;
use radar_engine::{Delivery, Handled, Outcome};

pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// The handler tree. Each update kind Radar handles has its own branch, so
/// teloxide knows which kinds to ask Telegram for.
pub fn schema() -> UpdateHandler<HandlerError> {
    dptree::entry()
        .branch(Update::filter_message().endpoint(process))
        .branch(Update::filter_edited_message().endpoint(process))
        .branch(Update::filter_callback_query().endpoint(process))
}

async fn process(bot: Bot, app: Arc<App>, update: Update) -> Result<(), HandlerError> {
    let Some(env) = envelope(&update, &app.allowed, &app.me) else {
        return Ok(());
    };
    let span = tracing::info_span!("update", key = %env.incoming.key, update_id = update.id.0);
    async move {
        let started = Instant::now();
        let chat = env.incoming.chat;
        match app.apply(&env.incoming).await {
            Ok(Handled::Duplicate) => {
                app.metrics.duplicates_dropped.inc();
                tracing::info!("duplicate: already processed");
            }
            Ok(Handled::Replied(reply)) => {
                app.metrics.command_latency.observe(started.elapsed().as_secs_f64());
                app.metrics.commands.get_or_create(&OutcomeLabel { outcome: reply.outcome.as_str() }).inc();
                tracing::info!(outcome = reply.outcome.as_str(), "handled");
                if reply.outcome == Outcome::Unauthorized {
                    tracing::warn!(user_id = %env.incoming.user, "refused: not on the allowlist");
                    // Not stored, so sent directly, once, best effort.
                    let reply_to = match env.incoming.delivery {
                        Delivery::Outbox { reply_to } => reply_to,
                        Delivery::Inline => None,
                    };
                    for m in &reply.messages {
                        let mut req = bot.send_message(ChatId(chat.0), m.html.clone()).parse_mode(ParseMode::Html);
                        if let Some(to) = reply_to.and_then(|m| i32::try_from(m).ok()) {
                            req = req.reply_parameters(
                                ReplyParameters::new(teloxide::types::MessageId(to)).allow_sending_without_reply(),
                            );
                        }
                        if let Err(e) = req.await {
                            tracing::info!(error = %e, "could not answer an outsider");
                        }
                    }
                }
            }
            Err(e) if e.is_unavailable() => {
                // Only when stopping: the update stays stored and is replayed at the next start.
                tracing::warn!(error = %e, "update not processed; it stays stored for the next start");
            }
            Err(e) => {
                // A poison update: retrying cannot help. Record it as processed so it
                // does not block the chat, and tell the user in their language, in a
                // reply like every other (context line first, answering the message).
                app.metrics.commands.get_or_create(&OutcomeLabel { outcome: "failed" }).inc();
                tracing::error!(error = %e, "update failed; giving it up");
                if let Err(again) = app.engine.give_up(&env.incoming, &e).await {
                    tracing::error!(error = %again, "could not record the failed update");
                    app.give_up(&env.incoming.key).await;
                }
            }
        }
        if let Some(to) = env.migrate_to {
            // The group became a supergroup: what is queued for it goes there.
            match async {
                let mut conn = app.db.get().await?;
                radar_store::outbox::move_chat(&mut conn, chat, to).await
            }
            .await
            {
                Ok(moved) => tracing::info!(from = %chat, to = %to, moved, "group upgraded to a supergroup"),
                Err(e) => tracing::warn!(error = %e, "could not move the group's replies"),
            }
            app.sender.flush_chat(&bot, to).await;
        }
        if let Some(id) = env.callback_id {
            // Always answer a button press, or the client shows a spinner.
            if let Err(e) = bot.answer_callback_query(CallbackQueryId(id)).await {
                tracing::debug!(error = %e, "answerCallbackQuery failed");
            }
        }
        app.sender.flush_chat(&bot, chat).await;
        Ok(())
    }
    .instrument(span)
    .await
}
