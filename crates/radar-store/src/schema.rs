// One portable schema for PostgreSQL and SQLite, kept by hand.
// tests/schema.rs checks it against what both migrated databases report
// (the same tables, columns and nullability that `diesel print-schema` shows).

diesel::table! {
    conversation_state (user_id) {
        user_id -> BigInt,
        feature_id -> Nullable<BigInt>,
        release_id -> Nullable<BigInt>,
        project_id -> Nullable<BigInt>,
        last_command -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    event_log (id) {
        id -> BigInt,
        correlation_id -> Text,
        user_id -> BigInt,
        project_id -> Nullable<BigInt>,
        action -> Text,
        entity_type -> Text,
        entity_id -> BigInt,
        details -> Text,
        timestamp -> Timestamp,
        created_at -> Timestamp,
        reverts_event_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    features (id) {
        id -> BigInt,
        project_id -> BigInt,
        number -> BigInt,
        name -> Text,
        description -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        assigned_teams -> Nullable<Text>,
        assigned_po -> Nullable<Text>,
        release_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    names_versions (scope) {
        scope -> BigInt,
        version -> BigInt,
    }
}

diesel::table! {
    offered_actions (id) {
        id -> BigInt,
        user_id -> BigInt,
        command -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        chat_id -> BigInt,
        message_key -> Nullable<Text>,
        text -> Text,
        parse_mode -> Nullable<Text>,
        reply_markup -> Nullable<Text>,
        reply_to_message_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        next_attempt_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        edit_message_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    outbox_attachments (outbox_id) {
        outbox_id -> BigInt,
        kind -> Text,
        file_name -> Text,
        bytes -> Binary,
    }
}

diesel::table! {
    processed_messages (message_id) {
        message_id -> Text,
        update_id -> Nullable<BigInt>,
        chat_id -> BigInt,
        user_id -> Nullable<BigInt>,
        received_at -> Timestamp,
        processed_at -> Nullable<Timestamp>,
        payload -> Nullable<Text>,
    }
}

diesel::table! {
    projects (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        description -> Nullable<Text>,
        status -> Text,
        next_feature_number -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    releases (id) {
        id -> BigInt,
        project_id -> BigInt,
        version -> Text,
        target_date -> Nullable<Date>,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        released_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_context (user_id) {
        user_id -> BigInt,
        active_project_id -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_settings (user_id) {
        user_id -> BigInt,
        time_zone -> Nullable<Text>,
        language -> Nullable<Text>,
        digest_at -> Nullable<Time>,
        digest_language -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(conversation_state -> features (feature_id));
diesel::joinable!(conversation_state -> releases (release_id));
diesel::joinable!(conversation_state -> projects (project_id));
diesel::joinable!(features -> projects (project_id));
diesel::joinable!(features -> releases (release_id));
diesel::joinable!(releases -> projects (project_id));
diesel::joinable!(outbox_attachments -> outbox (outbox_id));
diesel::joinable!(user_context -> projects (active_project_id));

diesel::allow_tables_to_appear_in_same_query!(
    conversation_state,
    event_log,
    features,
    names_versions,
    offered_actions,
    outbox,
    outbox_attachments,
    processed_messages,
    projects,
    releases,
    user_context,
    user_settings,
);
