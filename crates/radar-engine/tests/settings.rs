//! Per-user settings (time zone, language, digest time), the daily digest
//! (rendering, exactly once, due times) and paged answers, on both backends,
//! in English and Russian.

mod common;

use chrono::{TimeZone, Utc};
use common::{Chat, setup_with};
use radar_engine::buttons::ButtonAction;
use radar_engine::{Clock, DigestPass, EngineConfig, Lang, Reply, digest_key};
use radar_store::test_support::data_events;
use radar_store::{Language, UserId, outbox, user_settings};
use radar_testkit::{TestDb, both};

fn cfg(clock: &Clock) -> EngineConfig {
    EngineConfig {
        tz: chrono_tz::UTC,
        clock: clock.clone(),
        ..EngineConfig::default()
    }
}

/// The data of the button whose label contains `label`.
fn button(r: &Reply, label: &str) -> Option<String> {
    r.messages
        .iter()
        .filter_map(|m| m.keyboard.as_ref())
        .flat_map(|k| k.0.iter().flatten())
        .find(|b| b.text.contains(label))
        .map(|b| b.data.clone())
}

both!(time_zone_shapes_today_and_shown_times, |b| async move {
    let db = TestDb::new(b).await;
    // 22:30 UTC: 23:30 in Berlin (the 20th), 01:30 in Moscow (the 21st).
    let clock = Clock::fixed(Utc.with_ymd_and_hms(2026, 11, 20, 22, 30, 0).unwrap());
    let (e, pool) = setup_with(&db, cfg(&clock));
    let mut c = Chat::new(&e, &pool, 60, Lang::En);
    c.say("/newproject Apollo").await;
    let events_before = data_events(&mut pool.get().await.unwrap()).await.unwrap();
    let r = c.say("/timezone Europe/Berlin").await;
    assert!(
        r.contains("Your time zone is now Europe/Berlin (it is 23:30 there)"),
        "{r}"
    );
    c.say("/add Late").await;
    let today = c.say("what changed today").await;
    assert!(
        today.contains("Late") && today.contains("2026-11-20 23:30"),
        "{today}"
    );
    // A natural phrase, in English; the same zone again changes nothing.
    let r = c.say("my time zone is Moscow").await;
    assert!(r.contains("Europe/Moscow (it is 01:30 there)"), "{r}");
    let r = c.say("/timezone Europe/Moscow").await;
    assert!(r.contains("already"), "{r}");
    let today = c.say("what changed today").await;
    assert!(today.contains("2026-11-21 01:30"), "{today}");
    assert!(
        c.say("what changed yesterday")
            .await
            .contains("Nothing changed"),
        "the 20th is empty in Moscow"
    );
    // A zone chrono-tz does not know is refused, nothing stored.
    let r = c.say("/timezone Mars/Olympus").await;
    assert!(r.contains("Usage: /timezone ZONE"), "{r}");
    let r = c.say("my time zone is Atlantis").await;
    assert!(!r.contains("Your time zone is now"), "{r}");
    let mut conn = pool.get().await.unwrap();
    let s = user_settings::get(&mut conn, UserId(60))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.time_zone.map(|z| z.0.name()), Some("Europe/Moscow"));
    // Settings changes are logged (typed, not data) and not undone.
    assert_eq!(
        data_events(&mut conn).await.unwrap(),
        events_before + 1,
        "only the feature is data"
    );
    drop(conn);
    let undo = c.say("/undo").await;
    assert!(undo.contains("Late"), "undo skips settings: {undo}");
    let history = radar_store::event_log::entity_history(
        &mut pool.get().await.unwrap(),
        radar_store::EntityKind::Context,
        60,
        10,
    )
    .await
    .unwrap();
    let settings: Vec<_> = history
        .iter()
        .filter(|r| r.details.contains("\"change\":\"settings_changed\""))
        .collect();
    assert_eq!(settings.len(), 2, "Berlin, then Moscow: {history:?}");
    assert!(
        settings[0].details.contains("Europe/Berlin")
            && settings[0].details.contains("Europe/Moscow")
    );

    // Russian: «я живу в Берлине» (a city, in Russian) sets Berlin.
    let mut r = Chat::new(&e, &pool, 61, Lang::Ru);
    r.say("/newproject Гемини").await;
    let t = r.say("часовой пояс Europe/Berlin").await;
    assert!(
        t.contains("Ваш часовой пояс теперь Europe/Berlin (там сейчас 23:30)"),
        "{t}"
    );
});

both!(language_override_and_back_to_auto, |b| async move {
    let db = TestDb::new(b).await;
    let clock = Clock::fixed(Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap());
    let (e, pool) = setup_with(&db, cfg(&clock));
    // An English client who asks for Russian.
    let mut c = Chat::new(&e, &pool, 62, Lang::En);
    c.say("/newproject Apollo").await;
    let r = c.say("/lang ru").await;
    assert!(
        r.starts_with("📁 Контекст: Проект Apollo") && r.contains("Буду отвечать вам по-русски"),
        "the reply is already in the new language: {r}"
    );
    let r = c.say("/features").await;
    assert!(r.starts_with("📁 Контекст: Проект Apollo"), "{r}");
    // «говори по-английски» — a Russian phrase choosing English.
    let r = c.say("говори по-английски").await;
    assert!(r.contains("I'll answer you in English"), "{r}");
    let mut conn = pool.get().await.unwrap();
    let s = user_settings::get(&mut conn, UserId(62))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.language, Some(Language::En));
    drop(conn);
    // A Russian client told to use English, then back to the app's language.
    let mut ru = Chat::new(&e, &pool, 63, Lang::Ru);
    ru.say("/newproject Восход").await;
    assert!(
        ru.say("reply in english")
            .await
            .contains("I'll answer you in English")
    );
    assert!(ru.say("/features").await.starts_with("📁 Project: Восход"));
    let r = ru.say("/lang auto").await;
    assert!(r.contains("Буду отвечать на языке вашего Telegram"), "{r}");
    assert!(
        ru.say("/features")
            .await
            .starts_with("📁 Контекст: Проект Восход")
    );
    let mut conn = pool.get().await.unwrap();
    let s = user_settings::get(&mut conn, UserId(63))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.language, None);
});

/// A project with known changes on 2030-03-09 (UTC) and one on the 10th.
async fn digest_fixture(c: &mut Chat, clock: &Clock) {
    clock.set(Utc.with_ymd_and_hms(2030, 3, 9, 10, 0, 0).unwrap());
    c.say("/newproject Apollo").await;
    c.say("/add Login").await;
    c.say("/add Search").await;
    c.say("/status 1 done").await;
    clock.set(Utc.with_ymd_and_hms(2030, 3, 9, 23, 59, 0).unwrap());
    c.say("/status 2 blocked: waiting for keys").await;
    clock.set(Utc.with_ymd_and_hms(2030, 3, 10, 0, 1, 0).unwrap());
    c.say("/add Tomorrow's").await;
}

both!(digest_once_a_day_at_local_time, |b| async move {
    let db = TestDb::new(b).await;
    let clock = Clock::fixed(Utc.with_ymd_and_hms(2030, 3, 8, 12, 0, 0).unwrap());
    let (e, pool) = setup_with(&db, cfg(&clock));
    let mut en = Chat::new(&e, &pool, 70, Lang::En);
    // Set before anything: 09:00 UTC.
    let r = en.say("/digest 09:00").await;
    assert!(r.contains("Every day at 09:00 (UTC)"), "{r}");
    digest_fixture(&mut en, &clock).await;
    // A Russian user in Moscow, digest at 9 local (06:00 UTC), by phrase.
    let mut ru = Chat::new(&e, &pool, 71, Lang::Ru);
    clock.set(Utc.with_ymd_and_hms(2030, 3, 8, 12, 0, 0).unwrap());
    ru.say("/newproject Гемини").await;
    ru.say("часовой пояс Москва").await;
    let r = ru.say("присылай сводку в 9").await;
    assert!(r.contains("Каждый день в 09:00 (Europe/Moscow)"), "{r}");
    clock.set(Utc.with_ymd_and_hms(2030, 3, 9, 20, 0, 0).unwrap()); // 23:00 in Moscow
    ru.say("/add Оплата").await;
    // A third user turned the digest on, then off.
    let mut off = Chat::new(&e, &pool, 72, Lang::En);
    off.say("/newproject Off").await;
    off.say("/digest 08:00").await;
    assert!(
        off.say("no more digest")
            .await
            .contains("The daily digest is off")
    );

    // 05:59 UTC on the 10th: nothing is due yet.
    clock.set(Utc.with_ymd_and_hms(2030, 3, 10, 5, 59, 0).unwrap());
    assert_eq!(e.send_due_digests().await.unwrap(), DigestPass::default());
    // 06:00 UTC is 09:00 in Moscow: the Russian digest.
    clock.set(Utc.with_ymd_and_hms(2030, 3, 10, 6, 0, 0).unwrap());
    let pass = e.send_due_digests().await.unwrap();
    assert_eq!(pass.queued, 1);
    let mut conn = pool.get().await.unwrap();
    let ru_day = chrono::NaiveDate::from_ymd_opt(2030, 3, 10).unwrap();
    let rows = outbox::for_key(&mut conn, &digest_key(UserId(71), ru_day))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let text = radar_engine::render::html_to_plain(&rows[0].text);
    assert_eq!(rows[0].chat_id.0, 71, "to the user's private chat");
    assert!(
        text.starts_with("📁 Контекст: Проект Гемини\n\n📬 Сводка за 09.03.2030 (1 изменение)"),
        "{text}"
    );
    assert!(text.contains("Оплата"), "{text}");
    drop(conn);
    // Again at 06:00 and at 08:59: nothing more.
    assert_eq!(e.send_due_digests().await.unwrap(), DigestPass::default());
    clock.set(Utc.with_ymd_and_hms(2030, 3, 10, 8, 59, 0).unwrap());
    assert_eq!(e.send_due_digests().await.unwrap(), DigestPass::default());
    // 09:00 UTC: the English digest of the 9th, with the hand-counted changes.
    clock.set(Utc.with_ymd_and_hms(2030, 3, 10, 9, 0, 30).unwrap());
    let preview = e.digest_now(UserId(70)).await.unwrap().unwrap();
    let pass = e.send_due_digests().await.unwrap();
    assert_eq!(
        pass,
        DigestPass {
            queued: 1,
            empty: 0
        }
    );
    let mut conn = pool.get().await.unwrap();
    let rows = outbox::for_key(&mut conn, &digest_key(UserId(70), ru_day))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].text, preview.html,
        "radar digest prints what is sent"
    );
    let text = radar_engine::render::html_to_plain(&rows[0].text);
    // Project created, 2 features created, #1 done, #2 blocked: 5 events.
    assert!(
        text.starts_with("📁 Project: Apollo\n\n📬 Digest for 2030-03-09 (5 changes)"),
        "{text}"
    );
    assert!(
        text.contains("waiting for keys") && !text.contains("Tomorrow's"),
        "{text}"
    );
    drop(conn);
    // Later that day, nothing more; user 72 (off) never gets one.
    clock.set(Utc.with_ymd_and_hms(2030, 3, 10, 23, 0, 0).unwrap());
    assert_eq!(e.send_due_digests().await.unwrap(), DigestPass::default());
    // The 11th: only "Tomorrow's" changed on the 10th. Radar was "down" at
    // 09:00 and comes back at 15:00: sent once, that day.
    clock.set(Utc.with_ymd_and_hms(2030, 3, 11, 15, 0, 0).unwrap());
    let pass = e.send_due_digests().await.unwrap();
    // The Russian user had no change on the 10th: claimed, nothing sent.
    assert_eq!(
        pass,
        DigestPass {
            queued: 1,
            empty: 1
        }
    );
    // The 12th's and 13th's digests are never sent on a later day: on the
    // 14th at 05:00 UTC nothing is due (before both times), and nothing
    // changed on the 13th anyway.
    clock.set(Utc.with_ymd_and_hms(2030, 3, 14, 5, 0, 0).unwrap());
    assert_eq!(e.send_due_digests().await.unwrap(), DigestPass::default());
    let mut conn = pool.get().await.unwrap();
    let all: usize = [70, 71, 72]
        .into_iter()
        .flat_map(|u| (8..=14).map(move |d| (u, d)))
        .map(|(u, d)| {
            digest_key(
                UserId(u),
                chrono::NaiveDate::from_ymd_opt(2030, 3, d).unwrap(),
            )
        })
        .collect::<Vec<_>>()
        .len();
    assert_eq!(all, 21);
    let mut sent = 0;
    for u in [70, 71, 72] {
        for d in 8..=14 {
            let key = digest_key(
                UserId(u),
                chrono::NaiveDate::from_ymd_opt(2030, 3, d).unwrap(),
            );
            sent += outbox::for_key(&mut conn, &key).await.unwrap().len();
        }
    }
    assert_eq!(sent, 3, "Moscow on the 10th, UTC on the 10th and the 11th");
    // `radar digest` with nothing changed says so.
    let none = e.digest_now(UserId(71)).await.unwrap().unwrap_err();
    assert!(none.contains("ничего не менялось"), "{none}");
});

both!(
    digest_set_after_its_time_waits_for_tomorrow,
    |b| async move {
        let db = TestDb::new(b).await;
        let clock = Clock::fixed(Utc.with_ymd_and_hms(2030, 3, 9, 10, 0, 0).unwrap());
        let (e, pool) = setup_with(&db, cfg(&clock));
        let mut c = Chat::new(&e, &pool, 73, Lang::En);
        c.say("/newproject Apollo").await;
        clock.set(Utc.with_ymd_and_hms(2030, 3, 10, 10, 0, 0).unwrap());
        c.say("digest at 9:00").await;
        assert_eq!(e.send_due_digests().await.unwrap(), DigestPass::default());
        clock.set(Utc.with_ymd_and_hms(2030, 3, 11, 9, 0, 0).unwrap());
        // Nothing changed on the 10th (the setting is not data).
        assert_eq!(
            e.send_due_digests().await.unwrap(),
            DigestPass {
                queued: 0,
                empty: 1
            }
        );
    }
);

both!(concurrent_passes_send_one_digest, |b| async move {
    let db = TestDb::new(b).await;
    let clock = Clock::fixed(Utc.with_ymd_and_hms(2030, 3, 8, 12, 0, 0).unwrap());
    let (e, pool) = setup_with(&db, cfg(&clock));
    let mut c = Chat::new(&e, &pool, 74, Lang::En);
    c.say("/digest 09:00").await;
    digest_fixture(&mut c, &clock).await;
    clock.set(Utc.with_ymd_and_hms(2030, 3, 10, 9, 0, 0).unwrap());
    // Two "replicas" (engines on the same database) at once, repeatedly.
    let e2 = radar_engine::Engine::new(db.pool(), cfg(&clock));
    let (a, b2) = tokio::join!(e.send_due_digests(), e2.send_due_digests());
    let (a, b2) = (a.unwrap(), b2.unwrap());
    assert_eq!(a.queued + b2.queued, 1, "{a:?} {b2:?}");
    let day = chrono::NaiveDate::from_ymd_opt(2030, 3, 10).unwrap();
    let mut conn = pool.get().await.unwrap();
    assert_eq!(
        outbox::for_key(&mut conn, &digest_key(UserId(74), day))
            .await
            .unwrap()
            .len(),
        1
    );
});

both!(long_answers_page_in_one_message, |b| async move {
    let db = TestDb::new(b).await;
    let clock = Clock::fixed(Utc.with_ymd_and_hms(2030, 3, 9, 10, 0, 0).unwrap());
    let (e, pool) = setup_with(&db, cfg(&clock));
    for lang in [Lang::En, Lang::Ru] {
        let user = if lang == Lang::En { 80 } else { 81 };
        let mut c = Chat::new(&e, &pool, user, lang);
        c.say(&format!("/newproject P{user}")).await;
        let long = "L".repeat(150);
        for i in 0..60 {
            c.say(&format!("/add {i} {long}")).await;
        }
        let (next, back) = if lang == Lang::En {
            ("Next ▶", "◀ Back")
        } else {
            ("Дальше ▶", "◀ Назад")
        };
        let r = c.reply("what changed today").await;
        assert_eq!(r.messages.len(), 1, "one message, not a flood");
        let first = r.plain();
        let pages: usize = {
            let of = if lang == Lang::En {
                "Page 1 of "
            } else {
                "Страница 1 из "
            };
            let at = first.find(of).unwrap_or_else(|| panic!("{first}"));
            first[at + of.len()..].trim().parse().unwrap()
        };
        // 61 events of ~170 units: 61 × 2 lines…, more than two pages.
        assert!(pages >= 3, "{pages} pages");
        assert!(button(&r, back).is_none(), "no ◀ on the first page");
        // Turn every page: each under the limit, each event once, in order.
        let mut seen = Vec::new();
        let mut reply = r;
        for p in 1..=pages {
            assert!(radar_engine::render::units(&reply.messages[0].html) <= 4096);
            let text = reply.plain();
            for i in 0..60 {
                if text.contains(&format!("#{} {i} L", i + 1)) {
                    seen.push(i);
                }
            }
            if p < pages {
                let data = button(&reply, next).expect("▶ on all but the last page");
                assert!(matches!(
                    ButtonAction::decode(&data),
                    Some(ButtonAction::Page { .. })
                ));
                reply = c.press_reply(&data).await;
                assert_eq!(reply.messages.len(), 1);
            } else {
                assert!(button(&reply, next).is_none(), "no ▶ on the last page");
            }
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(
            sorted,
            (0..60).collect::<Vec<_>>(),
            "every feature on exactly one page"
        );
        assert_eq!(seen.len(), 60);
        // ◀ goes back (the press edits the message: tests/telegram_pages.rs).
        let back_data = button(&reply, back).unwrap();
        let before = reply.plain();
        let prev = c.press_reply(&back_data).await;
        assert_ne!(prev.plain(), before);
        // A day later the buttons are outdated, like every other button.
        clock.set(Utc.with_ymd_and_hms(2030, 3, 10, 10, 0, 1).unwrap());
        let stale = c.press(&back_data).await;
        let outdated = |s: &str| {
            s.contains("That button is no longer valid")
                || s.contains("Эта кнопка больше не действует")
        };
        assert!(outdated(&stale), "{stale}");
        // Another user's press is outdated too.
        let mut other = Chat::new(&e, &pool, user + 10, lang);
        clock.set(Utc.with_ymd_and_hms(2030, 3, 9, 10, 0, 0).unwrap());
        let theirs = other.press(&back_data).await;
        assert!(outdated(&theirs), "{theirs}");
        // History pages too.
        for _ in 0..40 {
            c.say(&format!("/describe 1 {}", "D".repeat(200))).await;
            c.say("/describe 1 short").await;
        }
        let h = c.reply("/history 1").await;
        assert_eq!(h.messages.len(), 1);
        let data = button(&h, next).expect("history pages");
        let h2 = c.press_reply(&data).await;
        assert!(h2.plain().contains(if lang == Lang::En {
            "Page 2 of"
        } else {
            "Страница 2 из"
        }));
        // The feature changes: its history pages are outdated.
        c.say("/describe 1 changed").await;
        let stale = c.press(&data).await;
        assert!(outdated(&stale), "{stale}");
        clock.set(Utc.with_ymd_and_hms(2030, 3, 9, 10, 0, 0).unwrap());
    }
});

both!(
    a_page_holds_thirty_events_and_a_group_goes_on,
    |b| async move {
        let db = TestDb::new(b).await;
        let clock = Clock::fixed(Utc.with_ymd_and_hms(2030, 3, 9, 10, 0, 0).unwrap());
        let (e, pool) = setup_with(&db, cfg(&clock));
        let mut c = Chat::new(&e, &pool, 90, Lang::En);
        c.say("/newproject Paging").await;
        c.say("/add Signup").await;
        c.say("/add Login").await;
        // #1: created + 40 descriptions = 41 events, the newest group; #2 and
        // the project: 1 each.
        for i in 0..40 {
            c.say(&format!("/describe 1 step {i}")).await;
        }
        let r = c.reply("what changed today").await;
        let first = r.plain();
        assert!(first.contains("43 changes"), "{first}");
        assert!(first.contains("Page 1 of 2"), "{first}");
        let events = |s: &str| s.lines().filter(|l| l.starts_with("• ")).count();
        assert_eq!(events(&first), 30, "{first}");
        assert!(first.contains("#1 Signup") && !first.contains("#2 Login"));
        // Newest first: the last description leads.
        assert!(first.find("→ step 39").unwrap() < first.find("→ step 38").unwrap());
        let second = c.press_reply(&button(&r, "Next ▶").unwrap()).await.plain();
        assert!(second.contains("Page 2 of 2"), "{second}");
        assert_eq!(events(&second), 13, "{second}");
        // #1 goes on from page 1 under its title again, then #2.
        let (one, two) = (
            second.find("#1 Signup").unwrap(),
            second.find("#2 Login").unwrap(),
        );
        assert!(one < two, "{second}");
        for i in 0..40 {
            let shown = [&first, &second]
                .iter()
                .flat_map(|p| p.lines())
                .filter(|l| l.ends_with(&format!("→ step {i}")))
                .count();
            assert_eq!(shown, 1, "step {i} is on exactly one page");
        }
    }
);
