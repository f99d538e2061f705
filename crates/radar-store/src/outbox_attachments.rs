//! `outbox_attachments`: the file a queued reply carries (a PNG sent with
//! `sendPhoto`, a CSV with `sendDocument`); the reply's text is its caption.
//! Queued in the command's transaction with its reply, deleted with it.

use crate::prepared::KeepPrepared;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::ids::OutboxId;
use crate::schema::outbox_attachments;
use crate::values::AttachmentKind;
use crate::{Conn, R, dispatch};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox_attachments)]
pub struct Attachment {
    pub outbox_id: OutboxId,
    pub kind: AttachmentKind,
    /// The file's name as the user sees it (`burnup-1.2.png`).
    pub file_name: String,
    pub bytes: Vec<u8>,
}

pub async fn insert(conn: &mut Conn, a: &Attachment) -> R<()> {
    dispatch!(conn, |c| {
        diesel::insert_into(outbox_attachments::table)
            .values(a)
            .prepared()
            .execute(c)
            .await?;
    });
    Ok(())
}

/// The file of reply `id`, if it carries one.
pub async fn of_reply(conn: &mut Conn, id: OutboxId) -> R<Option<Attachment>> {
    Ok(dispatch!(conn, |c| {
        outbox_attachments::table
            .find(id)
            .select(Attachment::as_select())
            .first(c)
            .await
            .optional()?
    }))
}
