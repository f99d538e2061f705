-- Each user's settings: the time zone their dates and times are read and
-- shown in (NULL: the server's RADAR_TIMEZONE), the language Radar answers
-- them in (NULL: their Telegram client's), and the local time of their daily
-- digest (NULL: no digest) with the language it was asked in (what the
-- digest is written in when no language is chosen). A row exists once a
-- user changed a setting.
CREATE TABLE user_settings (
    user_id BIGINT PRIMARY KEY,
    time_zone TEXT,
    language TEXT CHECK (language IN ('en', 'ru')),
    digest_at TIME,
    digest_language TEXT CHECK (digest_language IN ('en', 'ru')),
    updated_at TIMESTAMP NOT NULL
);
-- The digest scheduler reads only the users who asked for one.
CREATE INDEX user_settings_digest_idx ON user_settings (digest_at) WHERE digest_at IS NOT NULL;
