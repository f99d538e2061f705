// @generated automatically by Diesel CLI.

diesel::table! {
    conversation_state (user_id) {
        user_id -> Int8,
        feature_id -> Nullable<Int8>,
        release_id -> Nullable<Int8>,
        project_id -> Nullable<Int8>,
        last_command -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    event_log (id) {
        id -> Int8,
        correlation_id -> Text,
        user_id -> Int8,
        project_id -> Nullable<Int8>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Int8,
        details -> Text,
        timestamp -> Timestamp,
        created_at -> Timestamp,
        reverts_event_id -> Nullable<Int8>,
    }
}

diesel::table! {
    features (id) {
        id -> Int8,
        project_id -> Int8,
        number -> Int8,
        name -> Text,
        description -> Nullable<Text>,
        status -> Text,
        status_reason -> Nullable<Text>,
        assigned_teams -> Nullable<Text>,
        assigned_po -> Nullable<Text>,
        release_id -> Nullable<Int8>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    names_versions (scope) {
        scope -> Int8,
        version -> Int8,
    }
}

diesel::table! {
    offered_actions (id) {
        id -> Int8,
        user_id -> Int8,
        command -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Int8,
        chat_id -> Int8,
        message_key -> Nullable<Text>,
        text -> Text,
        parse_mode -> Nullable<Text>,
        reply_markup -> Nullable<Text>,
        reply_to_message_id -> Nullable<Int8>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        attempts -> Int4,
        last_error -> Nullable<Text>,
        next_attempt_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        edit_message_id -> Nullable<Int8>,
    }
}

diesel::table! {
    outbox_attachments (outbox_id) {
        outbox_id -> Int8,
        kind -> Text,
        file_name -> Text,
        bytes -> Bytea,
    }
}

diesel::table! {
    processed_messages (message_id) {
        message_id -> Text,
        update_id -> Nullable<Int8>,
        chat_id -> Int8,
        user_id -> Nullable<Int8>,
        received_at -> Timestamp,
        processed_at -> Nullable<Timestamp>,
        payload -> Nullable<Text>,
    }
}

diesel::table! {
    projects (id) {
        id -> Int8,
        name -> Text,
        name_key -> Text,
        description -> Nullable<Text>,
        status -> Text,
        next_feature_number -> Int8,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    releases (id) {
        id -> Int8,
        project_id -> Int8,
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
        user_id -> Int8,
        active_project_id -> Nullable<Int8>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    user_settings (user_id) {
        user_id -> Int8,
        time_zone -> Nullable<Text>,
        language -> Nullable<Text>,
        digest_at -> Nullable<Time>,
        digest_language -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(conversation_state -> features (feature_id));
diesel::joinable!(conversation_state -> projects (project_id));
diesel::joinable!(conversation_state -> releases (release_id));
diesel::joinable!(features -> projects (project_id));
diesel::joinable!(features -> releases (release_id));
diesel::joinable!(outbox_attachments -> outbox (outbox_id));
diesel::joinable!(releases -> projects (project_id));
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
